#pragma once
// application/x-www-form-urlencoded: percent-decoding, and the JSON document GitHub and Gitea put
// in a form body's "payload" field. Thread-safe: pure functions.
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::core {

// Decodes %XX and '+' (as space). Returns false on a malformed escape.
[[nodiscard]] bool percentDecode(std::string_view in, std::string& out);

// The JSON document of a form body: its percent-decoded "payload" field.
// Errors: InvalidArgument "malformed_form".
[[nodiscard]] Result<std::string> decodeFormPayload(std::string_view formBody);

}  // namespace forgehook::core
