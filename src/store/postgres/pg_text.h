#pragma once
// Text as a PostgreSQL text column can keep it. SQLite keeps any bytes in TEXT; PostgreSQL refuses
// invalid UTF-8 (the whole statement fails) and libpq ends a parameter at a NUL, dropping the rest
// without a word. Bytes from outside (an endpoint's response excerpt, a request body's \u0000) go
// through this before they are written.
#include <string>
#include <string_view>

namespace forgehook::store::postgres {

// `raw` with each invalid UTF-8 sequence replaced by U+FFFD exactly as the API's JSON replaces it
// (nlohmann's error_handler_t::replace, api/json_reply.h), so the API shows what it shows from the
// SQLite store; and each NUL replaced by U+FFFD too (SQLite's answer shows it as \u0000).
[[nodiscard]] std::string storableText(std::string_view raw);

}  // namespace forgehook::store::postgres
