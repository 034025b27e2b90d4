#pragma once
// Writing JSON text by hand on hot paths (logs, ingest answers), where building a DOM would cost more
// than the work itself. Thread-safe: pure functions.
#include <string>
#include <string_view>

namespace forgehook::core {

// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
// Bytes that are not valid UTF-8 (header values from the network may hold any) become U+FFFD, so
// the output is always valid JSON.
void appendJsonString(std::string& out, std::string_view value);

// True when `value` is valid UTF-8 without control characters (U+0000-U+001F, U+007F): what an
// identifier from a header (a delivery id, an event name) must be to be stored and compared alike
// by every store (PostgreSQL refuses text that is not UTF-8, and libpq ends text at a NUL).
[[nodiscard]] bool isPlainText(std::string_view value);

}  // namespace forgehook::core
