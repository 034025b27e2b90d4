#include "api/admin_auth.h"

#include "api/query_params.h"
#include "verify/hmac.h"

namespace forgehook::api {

core::Result<void> requireAdmin(const http::Request& request, const std::string& adminToken) {
  constexpr std::string_view kBearer = "Bearer ";
  const auto header = request.header("Authorization");
  if (adminToken.empty() || header.size() <= kBearer.size() || !header.starts_with(kBearer) ||
      !verify::secretEquals(header.substr(kBearer.size()), adminToken))
    return std::unexpected(core::Error::unauthenticated("unauthorized", "a valid admin bearer token is required"));
  return {};
}

http::Handler guarded(const std::string* adminToken, std::vector<std::string_view> params, SyncHandler f) {
  return [adminToken, params = std::move(params), f = std::move(f)](http::Request&& request, http::Reply reply) {
    if (adminToken)
      if (auto ok = requireAdmin(request, *adminToken); !ok) return reply(http::errorResponse(ok.error()));
    if (auto ok = checkParams(request, params); !ok) return reply(http::errorResponse(ok.error()));
    reply(f(request));
  };
}

}  // namespace forgehook::api
