#include "api/session_api.h"

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/query_params.h"
#include "api/session_cookie.h"
#include "core/digest.h"
#include "core/random.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTokenLength = 1024;

json who(const Principal& p) {
  return {{"role", p.isAdmin() ? "admin" : "read_only"}, {"name", p.isAdmin() ? "admin" : p.tokenName}};
}

// Responses that carry a session must not be stored by any cache on the way.
http::Response uncached(http::Response response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

bool SessionApi::secure(const http::Request& request) const { return options_.secureCookie || cameOverTls(request); }

http::Response SessionApi::signIn(const http::Request& request) const {
  // Another site's form cannot send application/json without asking first (CORS), so it cannot
  // sign a visitor in under the attacker's token.
  if (!request.header("Content-Type").starts_with("application/json"))
    return http::errorResponse(core::Error::unsupportedMediaType("sign in with a JSON body: {\"token\": \"...\"}"));
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"token"}); !ok) return http::errorResponse(ok.error());
  auto token = optionalString(*body, "token");
  if (!token) return http::errorResponse(token.error());
  if (!*token || (*token)->empty() || (*token)->size() > kMaxTokenLength)
    return http::errorResponse(invalidArgument("token is required: the admin token or a read-only API token"));
  auto principal = auth_.tokenPrincipal(**token);
  if (!principal) return http::errorResponse(principal.error());

  const std::int64_t now = clock_.nowSeconds();
  const std::string id = core::randomHex(32);
  store::SessionRecord session;
  session.admin = principal->isAdmin();
  session.tokenId = principal->tokenId;
  session.tokenName = principal->tokenName;
  if (session.admin) session.credentialSha256 = auth_.adminTokenSha256();
  session.csrfToken = core::randomHex(32);
  session.createdAt = now;
  session.expiresAt = now + options_.ttlSeconds;
  if (auto old = sessionCookie(request)) {
    if (auto done = auth_.sessions().deleteSession(core::sha256Hex(*old)); !done)
      return http::errorResponse(done.error());
  }
  if (auto done = auth_.sessions().createSession(core::sha256Hex(id), session, now); !done)
    return http::errorResponse(done.error());

  json out = who(*principal);
  out["csrf_token"] = session.csrfToken;
  out["expires_at"] = core::formatRfc3339Seconds(session.expiresAt);
  auto response = uncached(jsonReply(out, 201));
  response.headers.emplace_back("Set-Cookie", sessionSetCookie(id, options_.ttlSeconds, secure(request)));
  return response;
}

http::Response SessionApi::show(const http::Request&, const Principal& principal) const {
  json out = who(principal);
  out["via"] = principal.viaSession() ? "session" : "bearer";
  out["csrf_token"] = principal.viaSession() ? json(principal.sessionCsrf) : json();
  out["expires_at"] = principal.viaSession() ? json(core::formatRfc3339Seconds(principal.sessionExpiresAt)) : json();
  return uncached(jsonReply(out));
}

http::Response SessionApi::signOut(const http::Request& request, const Principal&) const {
  if (auto id = sessionCookie(request)) {
    if (auto done = auth_.sessions().deleteSession(core::sha256Hex(*id)); !done)
      return http::errorResponse(done.error());
  }
  auto response = uncached(jsonReply({{"signed_out", true}}));
  response.headers.emplace_back("Set-Cookie", sessionClearCookie(secure(request)));
  return response;
}

}  // namespace forgehook::api
