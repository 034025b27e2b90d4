#pragma once
// The dashboard's session cookie on the wire: finding it in a request's Cookie header and writing
// the Set-Cookie header that sets or clears it. HttpOnly (no script reads it), SameSite=Strict (no
// other site's page sends it), Path=/; Secure when asked. Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"

namespace forgehook::api {

inline constexpr std::string_view kSessionCookie = "fh_session";

// The session cookie's value in the request's Cookie header(s); nothing when absent or empty.
[[nodiscard]] std::optional<std::string> sessionCookie(const http::Request& request);

// Set-Cookie value for a session `id` that lasts `maxAgeSeconds`.
[[nodiscard]] std::string sessionSetCookie(std::string_view id, std::int64_t maxAgeSeconds, bool secure);
// Set-Cookie value that removes the session cookie.
[[nodiscard]] std::string sessionClearCookie(bool secure);

// Whether the request reached us over TLS, as a TLS-terminating proxy says (X-Forwarded-Proto).
[[nodiscard]] bool cameOverTls(const http::Request& request);

}  // namespace forgehook::api
