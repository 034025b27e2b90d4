#pragma once
// Bearer-token check for /api/*. Thread-safe.
#include <optional>
#include <string>

#include "core/error.h"
#include "http/request.h"
#include "http/router.h"

namespace forgehook::api {

// Errors: Unauthenticated "unauthorized" unless the request carries "Authorization: Bearer <token>"
// equal (in constant time) to `adminToken`.
[[nodiscard]] core::Result<void> requireAdmin(const http::Request& request, const std::string& adminToken);

// Wraps a synchronous API handler: auth first, then the handler's Response.
template <class F>
http::Handler adminHandler(const std::string& adminToken, F f) {
  return [&adminToken, f = std::move(f)](http::Request&& request, http::Reply reply) {
    if (auto ok = requireAdmin(request, adminToken); !ok) return reply(http::errorResponse(ok.error()));
    reply(f(request));
  };
}

}  // namespace forgehook::api
