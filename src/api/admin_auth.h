#pragma once
// Bearer-token check and strict query parameters for /api/*. Thread-safe.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/request.h"
#include "http/router.h"

namespace forgehook::api {

// Errors: Unauthenticated "unauthorized" unless the request carries "Authorization: Bearer <token>"
// equal (in constant time) to `adminToken`.
[[nodiscard]] core::Result<void> requireAdmin(const http::Request& request, const std::string& adminToken);

// A synchronous handler: request in, response out.
using SyncHandler = std::function<http::Response(const http::Request&)>;

// Wraps `f` for the router: the admin token first (when `adminToken` is given), then the query
// parameters against `params` (see checkParams), then `f`'s response.
[[nodiscard]] http::Handler guarded(const std::string* adminToken, std::vector<std::string_view> params, SyncHandler f);

}  // namespace forgehook::api
