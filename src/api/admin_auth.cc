#include "api/admin_auth.h"

#include "api/query_params.h"
#include "api/session_cookie.h"
#include "core/digest.h"
#include "verify/hmac.h"

namespace forgehook::api {
namespace {

core::Error unauthorized() {
  return core::Error::unauthenticated("unauthorized", "a valid admin or read-only API bearer token is required");
}

bool changesState(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

}  // namespace

bool sameOrigin(const http::Request& request) {
  const auto origin = request.header("Origin");
  if (origin.empty()) return true;  // not a browser's cross-origin request
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  return http::equalsIgnoreCase(origin.substr(scheme + 3), request.header("Host"));
}

std::optional<std::string_view> bearerToken(const http::Request& request) {
  constexpr std::string_view kBearer = "Bearer ";
  const auto header = request.header("Authorization");
  if (header.size() <= kBearer.size() || !http::equalsIgnoreCase(header.substr(0, kBearer.size()), kBearer))
    return std::nullopt;
  return header.substr(kBearer.size());
}

core::Result<Principal> Authenticator::tokenPrincipal(std::string_view presented) const {
  if (!adminToken_.empty() && verify::secretEquals(presented, adminToken_)) return Principal::admin();
  // Only the token's SHA-256 is stored, and it is looked up, not compared: nothing to time.
  auto token = tokens_.authenticate(presented, clock_.nowSeconds());
  if (!token) return std::unexpected(token.error());
  if (!*token) return std::unexpected(unauthorized());
  return Principal::readOnly((*token)->id, (*token)->name);
}

core::Result<Principal> Authenticator::sessionPrincipal(const http::Request& request) const {
  const auto id = sessionCookie(request);
  if (!id) return std::unexpected(unauthorized());
  // Looked up by the id's SHA-256, not compared: nothing to time.
  auto found = sessions_.findSession(core::sha256Hex(*id), clock_.nowSeconds());
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::unexpected(unauthorized());
  const auto& session = **found;
  Principal principal;
  if (session.admin) {
    // An admin session ends when the admin token it was opened with is replaced.
    if (adminTokenSha256_.empty() || !verify::secretEquals(session.credentialSha256, adminTokenSha256_))
      return std::unexpected(unauthorized());
    principal = Principal::admin();
  } else {
    principal = Principal::readOnly(session.tokenId, session.tokenName);
  }
  principal.sessionCsrf = session.csrfToken;
  principal.sessionExpiresAt = session.expiresAt;
  return principal;
}

core::Result<Principal> Authenticator::authenticate(const http::Request& request) const {
  if (request.hasHeader("Authorization")) {
    const auto token = bearerToken(request);
    if (!token) return std::unexpected(unauthorized());
    return tokenPrincipal(*token);
  }
  auto principal = sessionPrincipal(request);
  if (!principal) return principal;
  // A cookie rides along on any request the browser makes, a forged one included: a change must
  // also prove it comes from the dashboard's own page, which alone can read the CSRF token.
  if (changesState(request.method) && !verify::secretEquals(request.header("X-CSRF-Token"), principal->sessionCsrf)) {
    core::Error error = core::Error::forbidden("a change made with the session cookie needs its X-CSRF-Token header");
    error.reason = "csrf_token_invalid";
    return std::unexpected(std::move(error));
  }
  return principal;
}

core::Result<Principal> Authenticator::streamPrincipal(const http::Request& request) const {
  if (request.hasHeader("Authorization")) return authenticate(request);
  if (const auto ticket = request.queryParam("ticket")) {
    if (auto principal = tickets_.redeem(*ticket)) return *principal;
    return std::unexpected(
        core::Error::unauthenticated("unauthorized", "the stream ticket is unknown, expired or already used"));
  }
  // Another site's page cannot open a WebSocket with our cookie (SameSite=Strict), nor with its own Origin.
  if (sessionCookie(request) && !sameOrigin(request)) return std::unexpected(unauthorized());
  return sessionPrincipal(request);
}

core::Result<void> Authenticator::permit(const Principal& principal, Access access) {
  if (access == Access::Admin && !principal.isAdmin())
    return std::unexpected(core::Error::forbidden("read-only token: this needs the admin token"));
  return {};
}

http::Handler guarded(const Authenticator* auth, Access access, std::vector<std::string_view> params, SyncHandler f) {
  // The public probes (/healthz, /readyz, /metrics) have no parameter to misread, and uptime
  // checkers and scrapers often add one of their own (a cache-buster): they ignore the query.
  if (access == Access::Public) {
    (void)params;
    return [f = std::move(f)](http::Request&& request, http::Reply reply) { reply(f(request)); };
  }
  return guarded(*auth, access, std::move(params),
                 [f = std::move(f)](const http::Request& request, const Principal&) { return f(request); });
}

http::Handler guarded(const Authenticator& auth, Access access, std::vector<std::string_view> params,
                      PrincipalHandler f) {
  return [&auth, access, params = std::move(params), f = std::move(f)](http::Request&& request, http::Reply reply) {
    auto principal = auth.authenticate(request);
    if (!principal) return reply(http::errorResponse(principal.error()));
    if (auto ok = Authenticator::permit(*principal, access); !ok) return reply(http::errorResponse(ok.error()));
    if (auto ok = checkParams(request, params); !ok) return reply(http::errorResponse(ok.error()));
    reply(f(request, *principal));
  };
}

}  // namespace forgehook::api
