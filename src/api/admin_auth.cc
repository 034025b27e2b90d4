#include "api/admin_auth.h"

#include "api/query_params.h"
#include "verify/hmac.h"

namespace forgehook::api {
namespace {

core::Error unauthorized() {
  return core::Error::unauthenticated("unauthorized", "a valid admin or read-only API bearer token is required");
}

}  // namespace

core::Result<Principal> Authenticator::authenticate(const http::Request& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  const auto header = request.header("Authorization");
  if (header.size() <= kBearer.size() || !header.starts_with(kBearer)) return std::unexpected(unauthorized());
  const auto presented = header.substr(kBearer.size());
  if (!adminToken_.empty() && verify::secretEquals(presented, adminToken_)) return Principal::admin();
  // Only the token's SHA-256 is stored, and it is looked up, not compared: nothing to time.
  auto token = tokens_.authenticate(presented, clock_.nowSeconds());
  if (!token) return std::unexpected(token.error());
  if (!*token) return std::unexpected(unauthorized());
  return Principal::readOnly((*token)->id, (*token)->name);
}

core::Result<Principal> Authenticator::streamPrincipal(const http::Request& request) const {
  if (request.hasHeader("Authorization")) return authenticate(request);
  const auto ticket = request.queryParam("ticket");
  if (!ticket) return std::unexpected(unauthorized());
  if (auto principal = tickets_.redeem(*ticket)) return *principal;
  return std::unexpected(
      core::Error::unauthenticated("unauthorized", "the stream ticket is unknown, expired or already used"));
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
