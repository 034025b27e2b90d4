#pragma once
// Who a request of /api/* comes from (the admin token, a read-only API token, or a dashboard session
// opened with one of them) and whether the route lets them, then strict query parameters.
// Thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/principal.h"
#include "api/stream_tickets.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/time.h"
#include "http/request.h"
#include "http/router.h"
#include "store/session_store.h"
#include "store/token_store.h"

namespace forgehook::api {

class Authenticator {
 public:
  // Keeps references: all must outlive it.
  Authenticator(const std::string& adminToken, store::TokenStore& tokens, store::SessionStore& sessions,
                StreamTickets& tickets, const core::Clock& clock)
      : adminToken_(adminToken),
        adminTokenSha256_(adminToken.empty() ? std::string() : core::sha256Hex(adminToken)),
        tokens_(tokens),
        sessions_(sessions),
        tickets_(tickets),
        clock_(clock) {}

  // The principal of "Authorization: Bearer <token>" (see tokenPrincipal); without that header, of
  // the dashboard session cookie (see sessionPrincipal), whose state-changing requests (any method
  // but GET, HEAD, OPTIONS) must carry the session's CSRF token in X-CSRF-Token. Errors:
  // Unauthenticated "unauthorized"; Forbidden "csrf_token_invalid"; Unavailable when the store
  // cannot be read.
  [[nodiscard]] core::Result<Principal> authenticate(const http::Request& request) const;

  // The principal of a token's text: the admin token (compared in constant time), else a live
  // read-only API token (a store read; see TokenStore::authenticate). A stream ticket is not a
  // token. Errors: Unauthenticated "unauthorized"; Unavailable.
  [[nodiscard]] core::Result<Principal> tokenPrincipal(std::string_view token) const;

  // The principal of the request's session cookie: a live session (store read) whose read-only
  // token is not revoked, and for an admin session, opened with the admin token configured now.
  // Does not check CSRF. Errors: Unauthenticated "unauthorized"; Unavailable.
  [[nodiscard]] core::Result<Principal> sessionPrincipal(const http::Request& request) const;

  // For stream routes (SSE, WebSocket): the bearer token as authenticate() does when the request
  // has an Authorization header, else the single-use `ticket` query parameter (redeemed: it never
  // works again), else the session cookie, when the request's Origin (if any) is this server. The
  // route's own parameter check must accept "ticket". Blocks on the store only for a read-only
  // bearer token or a session (one indexed read). Errors: as authenticate(); Unauthenticated
  // "unauthorized" for a ticket that is unknown, expired or already used.
  [[nodiscard]] core::Result<Principal> streamPrincipal(const http::Request& request) const;

  // Errors: Forbidden "forbidden" when `principal` may not use a route that requires `access`.
  [[nodiscard]] static core::Result<void> permit(const Principal& principal, Access access);

  [[nodiscard]] StreamTickets& tickets() const { return tickets_; }
  [[nodiscard]] store::SessionStore& sessions() const { return sessions_; }
  // What an admin session records of the token it was signed in with (empty without an admin token).
  [[nodiscard]] const std::string& adminTokenSha256() const { return adminTokenSha256_; }

 private:
  const std::string& adminToken_;
  const std::string adminTokenSha256_;  // hashed once: compared on every admin-session request
  store::TokenStore& tokens_;
  store::SessionStore& sessions_;
  StreamTickets& tickets_;
  const core::Clock& clock_;
};

// Whether a browser's Origin header, when there is one, names the host the request was sent to
// (scheme aside): a page of another site, or one whose name was rebound to us, is refused.
[[nodiscard]] bool sameOrigin(const http::Request& request);
// The token of an "Authorization: Bearer <token>" header (the scheme in any case, RFC 7235);
// nothing when the header is absent, names another scheme or has no token.
[[nodiscard]] std::optional<std::string_view> bearerToken(const http::Request& request);

// A synchronous handler: request in, response out; with the caller when it needs to know who.
using SyncHandler = std::function<http::Response(const http::Request&)>;
using PrincipalHandler = std::function<http::Response(const http::Request&, const Principal&)>;

// Wraps `f` for the router: unless `access` is Public, authenticates the request with `auth` (401)
// and checks the principal may use the route (403); then the query parameters against `params`
// (see checkParams); then `f`'s response. Requires: `auth` is not null unless `access` is Public.
[[nodiscard]] http::Handler guarded(const Authenticator* auth, Access access, std::vector<std::string_view> params,
                                    SyncHandler f);
[[nodiscard]] http::Handler guarded(const Authenticator& auth, Access access, std::vector<std::string_view> params,
                                    PrincipalHandler f);

}  // namespace forgehook::api
