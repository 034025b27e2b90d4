#pragma once
// application/x-www-form-urlencoded: percent-decoding, and the JSON document GitHub and Gitea put
// in a form body's "payload" field. Thread-safe: pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::core {

// Decodes %XX and '+' (as space). Returns false on a malformed escape.
[[nodiscard]] bool percentDecode(std::string_view in, std::string& out);

// Percent-encodes everything but RFC 3986 unreserved characters ("group/sub/proj" -> "group%2Fsub%2Fproj").
[[nodiscard]] std::string percentEncode(std::string_view text);

// The decoded value of the first field named `name` in a form body or query string ("a=1&b=2");
// nothing when there is none; a field without '=' has the empty value. Fields whose name is
// malformed are skipped. Errors: InvalidArgument "malformed_form" when the value's escapes are.
[[nodiscard]] Result<std::optional<std::string>> formField(std::string_view form, std::string_view name);

// The JSON document of a form body: its percent-decoded "payload" field (not empty).
// Errors: InvalidArgument "malformed_form".
[[nodiscard]] Result<std::string> decodeFormPayload(std::string_view formBody);

// A delivery's payload as JSON text: a form body's "payload" field decoded (empty when malformed),
// any other body as received.
[[nodiscard]] std::string payloadJson(std::string_view contentType, std::string_view rawBody);

}  // namespace forgehook::core
