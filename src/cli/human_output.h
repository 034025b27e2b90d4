#pragma once
// How API answers read for people: JSON values as table cells, objects as aligned "key  value"
// blocks, arrays of objects as tables. --json bypasses all of this and prints the API's JSON.
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::cli {

// A JSON value as a table cell: strings bare, null as "-", arrays comma-joined, an issue reference
// {"repository", "number"} as owner/name#N, other objects as compact JSON.
[[nodiscard]] std::string cell(const nlohmann::json& value);

// Rows (objects) as a table of `columns`.
void printRows(std::ostream& out, const nlohmann::json& rows, const std::vector<std::string>& columns);

// An object for people: its scalar members (nested objects flattened to "a.b") as an aligned
// key/value block, then each array of objects as a titled table. Keys named in `first` come first,
// in that order; the others follow alphabetically.
void printObject(std::ostream& out, const nlohmann::json& object, const std::vector<std::string_view>& first = {});

// "more: --cursor N" on stderr when the page has a next_cursor.
void printNextCursor(const nlohmann::json& page);

}  // namespace forgehook::cli
