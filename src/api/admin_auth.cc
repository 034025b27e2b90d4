#include "api/admin_auth.h"

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

}  // namespace forgehook::api
