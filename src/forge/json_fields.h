#pragma once
// Lenient field readers over a forge's JSON answers, shared by the client implementations. Internal
// to fh_forge: only .cc files include it, so nlohmann::json stays out of the public headers.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time.h"

namespace forgehook::forge {

// The field as text: strings as they are, integers in decimal; "" when absent or null.
[[nodiscard]] inline std::string stringField(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return it->dump();
}

// An RFC 3339 field as Unix seconds; 0 when absent or unreadable.
[[nodiscard]] inline std::int64_t timeField(const nlohmann::json& object, const char* name) {
  const auto at = core::parseTimestamp(stringField(object, name));
  return at ? *at / 1'000'000 : 0;
}

[[nodiscard]] inline bool boolField(const nlohmann::json& object, const char* name, bool fallback) {
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace forgehook::forge
