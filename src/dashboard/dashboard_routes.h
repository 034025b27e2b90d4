#pragma once
// Serves the dashboard: GET / (the page) and GET /assets/<hashed name> from embedded files, every
// answer with the dashboard's security headers (a strict Content-Security-Policy: only this
// server's scripts, styles and connections, no inline code, no framing; nosniff; no referrer).
// Hashed assets are cached forever, the page never without revalidation. The page routes itself by
// the URL's #fragment, so the server only ever serves "/". Thread-safe once built.
#include <span>
#include <string_view>
#include <vector>

#include "dashboard/embedded_asset.h"
#include "http/router.h"

namespace forgehook::dashboard {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

class DashboardRoutes {
 public:
  // Keeps a view of `assets`: they must outlive this (the embedded ones always do).
  explicit DashboardRoutes(std::span<const EmbeddedAsset> assets = embeddedAssets()) : assets_(assets) {}

  // The file at `request.path` (404 JSON for an unknown one), with the security headers.
  [[nodiscard]] http::Response serve(const http::Request& request) const;
  // GET / and GET /assets/*, neither blocking nor authenticated (the page signs in through the API).
  [[nodiscard]] std::vector<http::Route> routes() const;

 private:
  std::span<const EmbeddedAsset> assets_;
};

}  // namespace forgehook::dashboard
