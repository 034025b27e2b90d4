#include "model/record_builder.h"

#include <algorithm>
#include <cctype>

#include "core/json_text.h"

namespace forgehook::model {

Fields& Fields::text(const char* name, std::string value) {
  fields_.push_back({name, std::move(value)});
  return *this;
}

Fields& Fields::textOrNull(const char* name, const std::string& value) {
  fields_.push_back({name, value.empty() ? store::FieldValue() : store::FieldValue(value)});
  return *this;
}

Fields& Fields::number(const char* name, std::optional<std::int64_t> value) {
  fields_.push_back({name, value ? store::FieldValue(*value) : store::FieldValue()});
  return *this;
}

Fields& Fields::flag(const char* name, std::optional<bool> value) {
  fields_.push_back({name, value ? store::FieldValue(std::int64_t(*value ? 1 : 0)) : store::FieldValue()});
  return *this;
}

std::string namesJson(const JsonView& array, const char* key) {
  std::string out = "[";
  for (const auto& item : array.array()) {
    const std::string name = item[key].str();
    if (name.empty()) continue;
    if (out.size() > 1) out += ',';
    core::appendJsonString(out, name);
  }
  return out + "]";
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

}  // namespace forgehook::model
