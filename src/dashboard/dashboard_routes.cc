#include "dashboard/dashboard_routes.h"

namespace forgehook::dashboard {
namespace {

void secure(http::Response& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

http::Response DashboardRoutes::serve(const http::Request& request) const {
  for (const auto& asset : assets_) {
    if (asset.path != request.path) continue;
    http::Response response;
    response.contentType = std::string(asset.contentType);
    response.body = std::string(asset.body);
    response.headers.emplace_back("Cache-Control",
                                  asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    secure(response);
    return response;
  }
  auto response = http::errorResponse(core::Error::notFound("no dashboard file at " + request.path));
  response.headers.emplace_back("Cache-Control", "no-cache");
  secure(response);
  return response;
}

std::vector<http::Route> DashboardRoutes::routes() const {
  auto handler = [this](http::Request&& request, http::Reply reply) { reply(serve(request)); };
  return {{.method = "GET", .path = "/", .handler = handler},
          {.method = "GET", .path = "/assets/*", .name = "/assets/{file}", .handler = handler}};
}

}  // namespace forgehook::dashboard
