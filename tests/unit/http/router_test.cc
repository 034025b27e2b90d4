#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

namespace forgehook::http {
namespace {

using ::testing::UnorderedElementsAre;

Route route(std::string method, std::string path, std::string name = "") {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.name = std::move(name);
  r.handler = [](Request&&, Reply) {};
  return r;
}

// "GET, PUT" -> {"GET", "PUT"}; each method must appear once.
std::multiset<std::string> allowed(const std::string& allow) {
  std::multiset<std::string> out;
  std::stringstream in(allow);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(' ');
    out.insert(b == std::string::npos ? "" : item.substr(b));
  }
  return out;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.add(route("GET", "/healthz"));
    router_.add(route("POST", "/webhooks/github", "github"));
    router_.add(route("GET", "/api/v1/deliveries"));
    router_.add(route("GET", "/api/v1/deliveries/*", "delivery"));
    router_.add(route("GET", "/api/v1/secrets"));
    router_.add(route("PUT", "/api/v1/secrets/*", "secret_put"));
    router_.add(route("DELETE", "/api/v1/secrets/*", "secret_delete"));
  }
  Router router_;
};

TEST_F(RouterTest, ExactPathAndMethodMatch) {
  const auto m = router_.match("POST", "/webhooks/github");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "github");
  EXPECT_EQ(m.route->path, "/webhooks/github");
}

TEST_F(RouterTest, NameDefaultsToPath) {
  const auto m = router_.match("GET", "/healthz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "/healthz");
}

TEST_F(RouterTest, ExactRouteDoesNotMatchLongerPath) {
  const auto m = router_.match("GET", "/healthz/extra");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 404);
}

TEST_F(RouterTest, PrefixRouteMatchesPathsUnderIt) {
  for (const char* path : {"/api/v1/deliveries/42", "/api/v1/deliveries/a/b"}) {
    const auto m = router_.match("GET", path);
    ASSERT_NE(m.route, nullptr) << path;
    EXPECT_EQ(m.route->name, "delivery") << path;
  }
  const auto slashy = router_.match("PUT", "/api/v1/secrets/github/repository/Codertocat/Hello-World");
  ASSERT_NE(slashy.route, nullptr);
  EXPECT_EQ(slashy.route->name, "secret_put");
}

TEST_F(RouterTest, PrefixRouteNeedsItsWholePrefix) {
  const auto exact = router_.match("GET", "/api/v1/deliveries");
  ASSERT_NE(exact.route, nullptr);
  EXPECT_EQ(exact.route->name, "/api/v1/deliveries");  // the exact route, not the prefix one
  EXPECT_EQ(router_.match("GET", "/api/v1/deliveriesX").route, nullptr);
  EXPECT_EQ(router_.match("GET", "/api/v1/deliveriesX").status, 404);
}

TEST_F(RouterTest, UnknownPathIs404WithoutAllow) {
  const auto m = router_.match("GET", "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 404);
  EXPECT_EQ(m.allow, "");
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405) {
  const auto m = router_.match("GET", "/webhooks/github");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_THAT(allowed(m.allow), UnorderedElementsAre("POST"));
}

TEST_F(RouterTest, AllowListsEveryMethodForThePath) {
  const auto m = router_.match("POST", "/api/v1/secrets/github/hook/123");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_THAT(allowed(m.allow), UnorderedElementsAre("PUT", "DELETE"));
}

TEST(RouterAllowTest, AllowCombinesExactAndPrefixRoutesOnce) {
  Router router;
  router.add(route("GET", "/x/*"));
  router.add(route("POST", "/x/y"));
  router.add(route("GET", "/x/y"));
  router.add(route("PATCH", "/x/z"));  // another path: not allowed for /x/y
  const auto m = router.match("DELETE", "/x/y");
  EXPECT_EQ(m.status, 405);
  EXPECT_THAT(allowed(m.allow), UnorderedElementsAre("GET", "POST"));
}

TEST(RouterAllowTest, MethodMatchIsExact) {
  Router router;
  router.add(route("GET", "/a"));
  EXPECT_EQ(router.match("get", "/a").status, 405);
  EXPECT_EQ(router.match("GETX", "/a").status, 405);
}

}  // namespace
}  // namespace forgehook::http
