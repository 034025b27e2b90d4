#pragma once
// Values as PostgreSQL parameters: the model's field values, and arrays as the text literals
// `$N::text[]` / `$N::bigint[]` read (one parameter for any number of values).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/activity.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

[[nodiscard]] PgParam pgParam(const FieldValue& value);
// NULL for "", else the text.
[[nodiscard]] inline PgParam pgTextOrNull(const std::string& value) {
  return value.empty() ? PgParam(std::nullopt) : PgParam(value);
}
[[nodiscard]] std::vector<PgParam> pgParams(std::span<const FieldValue> values);

// {"a","b\"c"}: each element quoted, its quotes and backslashes escaped.
[[nodiscard]] std::string pgTextArray(std::span<const std::string> items);
[[nodiscard]] std::string pgTextArray(std::span<const std::string_view> items);
// {1,2,3}
[[nodiscard]] std::string pgBigintArray(std::span<const std::int64_t> ids);

}  // namespace forgehook::store::postgres
