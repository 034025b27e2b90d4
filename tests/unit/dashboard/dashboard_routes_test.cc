#include "dashboard/dashboard_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <regex>

namespace forgehook::dashboard {
namespace {

using ::testing::HasSubstr;

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (http::equalsIgnoreCase(k, name)) return v;
  return {};
}

http::Response get(const DashboardRoutes& routes, std::string path) {
  http::Router router;
  for (auto& route : routes.routes()) router.add(std::move(route));
  const auto match = router.match("GET", path);
  EXPECT_NE(match.route, nullptr) << path;
  if (!match.route) return {};
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  std::optional<http::Response> response;
  match.route->handler(std::move(request), [&](http::Response r) { response = std::move(r); });
  return *response;
}

void expectSecurityHeaders(const http::Response& r) {
  EXPECT_EQ(header(r, "Content-Security-Policy"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
}

const EmbeddedAsset kFakes[] = {
    {"/", "text/html; charset=utf-8", "<!doctype html><p>page", false},
    {"/assets/main-ABC123.js", "text/javascript; charset=utf-8", "console.log(1)", true},
};

TEST(DashboardRoutesTest, ThePageIsServedAtTheRootAndAlwaysRevalidated) {
  const DashboardRoutes routes{kFakes};
  const auto r = get(routes, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><p>page");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  expectSecurityHeaders(r);
}

TEST(DashboardRoutesTest, HashedAssetsAreImmutable) {
  const DashboardRoutes routes{kFakes};
  const auto r = get(routes, "/assets/main-ABC123.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_THAT(header(r, "Cache-Control"), HasSubstr("immutable"));
  expectSecurityHeaders(r);
}

TEST(DashboardRoutesTest, AnUnknownAssetIs404WithTheSameHeaders) {
  const DashboardRoutes routes{kFakes};
  const auto r = get(routes, "/assets/nope.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.contentType, "application/json");
  expectSecurityHeaders(r);
}

TEST(DashboardRoutesTest, TheEmbeddedPageNamesEmbeddedHashedScriptAndStylesheetAndNoInlineCode) {
  const DashboardRoutes routes;
  const auto page = get(routes, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.contentType, "text/html; charset=utf-8");
  const std::regex script(R"re(<script type="module" src="(/assets/main-[A-Z0-9]+\.js)"></script>)re");
  const std::regex style(R"re(<link rel="stylesheet" href="(/assets/main-[A-Z0-9]+\.css)">)re");
  std::smatch js, css;
  ASSERT_TRUE(std::regex_search(page.body, js, script)) << page.body;
  ASSERT_TRUE(std::regex_search(page.body, css, style)) << page.body;
  // No inline script or style: the CSP would block it.
  // Every <script> tag loads a file (none carries code of its own, whatever its attributes).
  const std::regex anyScript(R"re(<script\b[^>]*>)re");
  int scripts = 0;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), anyScript); it != std::sregex_iterator();
       ++it) {
    ++scripts;
    EXPECT_NE(it->str().find(" src=\""), std::string::npos) << it->str();
  }
  EXPECT_EQ(scripts, 1);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(page.body.find("style="), std::string::npos);

  const auto jsFile = get(routes, js[1].str());
  EXPECT_EQ(jsFile.status, 200);
  EXPECT_EQ(jsFile.contentType, "text/javascript; charset=utf-8");
  EXPECT_GT(jsFile.body.size(), 1000u);
  const auto cssFile = get(routes, css[1].str());
  EXPECT_EQ(cssFile.status, 200);
  EXPECT_EQ(cssFile.contentType, "text/css; charset=utf-8");
}

}  // namespace
}  // namespace forgehook::dashboard
