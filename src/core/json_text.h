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

}  // namespace forgehook::core
