#pragma once
// Small helpers that turn payload values into store records (store/activity.h). Internal to model/.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/json_view.h"
#include "store/activity.h"

namespace forgehook::model {

// A record's fields, added fluently; an empty optional becomes NULL.
class Fields {
 public:
  Fields& text(const char* name, std::string value);
  Fields& textOrNull(const char* name, const std::string& value);  // "" becomes NULL
  Fields& number(const char* name, std::optional<std::int64_t> value);
  Fields& flag(const char* name, std::optional<bool> value);
  std::vector<store::Field> take() { return std::move(fields_); }

 private:
  std::vector<store::Field> fields_;
};

// Versions order the writes to one entity: the payload's timestamp in seconds, then a rank that
// says which of two same-second events is later in the entity's life (closed after labeled...).
[[nodiscard]] constexpr std::int64_t version(std::int64_t seconds, int rank) { return seconds * 100 + rank; }

// A JSON array of the string at `key` in each element ("labels" -> ["bug", "ui"]).
[[nodiscard]] std::string namesJson(const JsonView& array, const char* key);

[[nodiscard]] bool containsIgnoreCase(std::string_view haystack, std::string_view needle);

}  // namespace forgehook::model
