#pragma once
// Dashboard sign-in: POST /api/v1/session trades a token (admin or read-only) for a session
// cookie and a CSRF token; GET shows who is signed in; DELETE signs out. The token itself never
// reaches the browser's storage. Blocking (store access). Thread-safe.
#include <cstdint>

#include "api/admin_auth.h"
#include "core/time.h"
#include "http/request.h"

namespace forgehook::api {

// How sessions are handed out (config: dashboard.*).
struct SessionOptions {
  std::int64_t ttlSeconds = 12 * 3600;  // a session's lifetime from sign-in
  bool secureCookie = false;            // always mark the cookie Secure (else only over TLS)
};

class SessionApi {
 public:
  SessionApi(const Authenticator& auth, const core::Clock& clock, SessionOptions options)
      : auth_(auth), clock_(clock), options_(options) {}

  // POST {"token": "..."} -> 201 {"role", "name", "csrf_token", "expires_at"} and Set-Cookie; a
  // session cookie the request carried is ended. Errors: 400 for a body without a token; 401
  // "unauthorized" for a token that is not the admin token nor a live read-only token.
  [[nodiscard]] http::Response signIn(const http::Request& request) const;
  // GET -> {"role", "name", "via": "session"|"bearer", "csrf_token" (null for a bearer token), "expires_at"}.
  [[nodiscard]] http::Response show(const http::Request& request, const Principal& principal) const;
  // DELETE -> {"signed_out": true}, ends the session and clears the cookie.
  [[nodiscard]] http::Response signOut(const http::Request& request, const Principal& principal) const;

 private:
  [[nodiscard]] bool secure(const http::Request& request) const;
  const Authenticator& auth_;
  const core::Clock& clock_;
  SessionOptions options_;
};

}  // namespace forgehook::api
