#pragma once
// The query string of the list and metrics commands.
#include <string>
#include <utility>
#include <vector>

#include "cli/query_escape.h"

namespace forgehook::cli {

// "?name=value&..." with the parameters that are set (non-empty), escaped; "" when none is.
inline std::string listQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    query += query.empty() ? '?' : '&';
    query += name;
    query += '=';
    query += queryEscape(value);
  }
  return query;
}

}  // namespace forgehook::cli
