#pragma once
// What the list commands (deliveries, pulls, issues, ...) share: their query string and table cells.
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "cli/query_escape.h"

namespace forgehook::cli {

// "?limit=N&name=value..." with the parameters that are set (non-empty), escaped.
inline std::string listQuery(int limit, std::initializer_list<std::pair<const char*, const std::string*>> params) {
  std::string query = "?limit=" + std::to_string(limit);
  for (const auto& [name, value] : params) {
    if (value->empty()) continue;
    query += '&';
    query += name;
    query += '=';
    query += queryEscape(*value);
  }
  return query;
}

// A JSON value as a table cell: strings bare, null as "-", arrays comma-joined.
inline std::string cell(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ",") + cell(x);
    return out;
  }
  return v.dump();
}

}  // namespace forgehook::cli
