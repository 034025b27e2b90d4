#include "store/postgres/pg_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace forgehook::store::postgres {

std::string storableText(std::string_view raw) {
  const bool plain = std::all_of(raw.begin(), raw.end(), [](char c) { return c != '\0' && (c & 0x80) == 0; });
  if (plain) return std::string(raw);
  // The API's own serialization does the repair, so both stores' answers read the same.
  const auto dumped = nlohmann::json(std::string(raw)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto repaired = nlohmann::json::parse(dumped).get<std::string>();
  std::string out;
  out.reserve(repaired.size());
  for (const char c : repaired) {
    if (c == '\0')
      out += "\xEF\xBF\xBD";
    else
      out += c;
  }
  return out;
}

}  // namespace forgehook::store::postgres
