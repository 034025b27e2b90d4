#include "api/session_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "support/api_routes_fixture.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (http::equalsIgnoreCase(k, name)) return v;
  return {};
}

class SessionApiTest : public ApiRoutesTest {
 protected:
  // A request as a browser sends it: no Authorization, the given headers (a Cookie among them).
  http::Response browser(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers,
                         std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers = std::move(headers);
    const auto match = router_.match(request.method, request.path);
    if (!match.route) {
      ADD_FAILURE() << "no route for " << request.path;
      return {};
    }
    if (match.route->stream) {
      auto answer = match.route->streamHandler(request);
      return answer.refusal ? *answer.refusal : http::jsonResponse(200, "{\"stream\":\"open\"}");
    }
    std::optional<http::Response> response;
    match.route->handler(std::move(request), [&](http::Response r) { response = std::move(r); });
    return *response;
  }
  struct Session {
    std::string cookie;  // "fh_session=..."
    std::string csrf;
    http::Response response;
  };
  Session signIn(const std::string& token, std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("Content-Type", "application/json");
    auto r = browser("POST", "/api/v1/session", extra, json{{"token", token}}.dump());
    Session s{{}, {}, r};
    if (r.status != 201) return s;
    const auto set = header(r, "Set-Cookie");
    s.cookie = set.substr(0, set.find(';'));
    s.csrf = json::parse(r.body)["csrf_token"].get<std::string>();
    return s;
  }
  std::string readOnlyToken(std::int64_t* id = nullptr) {
    const auto r = call("POST", "/api/v1/tokens", "", json{{"name", "viewer"}}.dump());
    const auto body = json::parse(r.body);
    if (id) *id = body["id"].get<std::int64_t>();
    return body["token"].get<std::string>();
  }
  std::int64_t itemCount() { return json::parse(call("GET", "/api/v1/items").body)["items"].size(); }
};

TEST_F(SessionApiTest, SigningInWithTheAdminTokenSetsAnHttpOnlyStrictCookieAndReturnsTheCsrfToken) {
  const auto s = signIn(kToken);
  ASSERT_EQ(s.response.status, 201) << s.response.body;
  const auto set = header(s.response, "Set-Cookie");
  EXPECT_THAT(set, StartsWith("fh_session="));
  EXPECT_THAT(set, HasSubstr("; HttpOnly"));
  EXPECT_THAT(set, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(set, HasSubstr("; Path=/"));
  EXPECT_THAT(set, HasSubstr("; Max-Age=43200"));
  EXPECT_THAT(set, ::testing::Not(HasSubstr("Secure")));
  EXPECT_EQ(s.cookie.size(), std::string("fh_session=").size() + 64);  // 32 random bytes, hex
  const auto body = json::parse(s.response.body);
  EXPECT_EQ(body["role"], "admin");
  EXPECT_EQ(s.csrf.size(), 64u);
  EXPECT_EQ(header(s.response, "Cache-Control"), "no-store");
  EXPECT_THAT(s.response.body, ::testing::Not(HasSubstr(kToken)));

  const auto who = browser("GET", "/api/v1/session", {{"Cookie", s.cookie}});
  ASSERT_EQ(who.status, 200) << who.body;
  const auto whoBody = json::parse(who.body);
  EXPECT_EQ(whoBody["role"], "admin");
  EXPECT_EQ(whoBody["via"], "session");
  EXPECT_EQ(whoBody["csrf_token"], s.csrf);
}

TEST_F(SessionApiTest, SecureCookieBehindATlsProxy) {
  const auto s = signIn(kToken, {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(s.response.status, 201);
  EXPECT_THAT(header(s.response, "Set-Cookie"), HasSubstr("; Secure"));
}

TEST_F(SessionApiTest, AWrongTokenOrBodyIsRefused) {
  EXPECT_EQ(signIn("not-the-token").response.status, 401);
  EXPECT_EQ(signIn("fht_0000").response.status, 401);
  EXPECT_EQ(browser("POST", "/api/v1/session", {{"Content-Type", "application/json"}}, "{}").status, 400);
  EXPECT_EQ(browser("POST", "/api/v1/session", {{"Content-Type", "application/json"}}, R"({"token":"x","y":1})").status,
            400);
  // A cross-site form cannot send JSON: a form-encoded or text/plain sign-in is refused.
  EXPECT_EQ(browser("POST", "/api/v1/session", {{"Content-Type", "text/plain"}}, json{{"token", kToken}}.dump()).status,
            415);
}

TEST_F(SessionApiTest, TheCookieAuthenticatesReadsWithoutCsrf) {
  const auto s = signIn(kToken);
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 200);
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", "fh_session=0000"}}).status, 401);
  EXPECT_EQ(browser("GET", "/api/v1/items", {}).status, 401);
}

TEST_F(SessionApiTest, ACookieChangeWithoutTheRightCsrfTokenIs403AndChangesNothing) {
  const auto s = signIn(kToken);
  const std::string item = json{{"title", "x"}}.dump();
  const std::vector<std::pair<std::string, std::string>> noCsrf{{"Cookie", s.cookie}};
  auto r = browser("POST", "/api/v1/items", noCsrf, item);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["error"], "csrf_token_invalid");
  r = browser("POST", "/api/v1/items", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf + "0"}}, item);
  EXPECT_EQ(r.status, 403);
  r = browser("POST", "/api/v1/items", {{"Cookie", s.cookie}, {"X-CSRF-Token", ""}}, item);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(browser("DELETE", "/api/v1/session", noCsrf).status, 403);
  EXPECT_EQ(itemCount(), 0);

  r = browser("POST", "/api/v1/items", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, item);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(itemCount(), 1);
}

TEST_F(SessionApiTest, BearerRequestsNeedNoCsrfToken) {
  EXPECT_EQ(call("POST", "/api/v1/items", "", json{{"title", "x"}}.dump()).status, 201);
  const auto who = call("GET", "/api/v1/session");
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(json::parse(who.body)["via"], "bearer");
  EXPECT_TRUE(json::parse(who.body)["csrf_token"].is_null());
}

TEST_F(SessionApiTest, AReadOnlySessionReadsButCannotChangeAnything) {
  const auto s = signIn(readOnlyToken());
  ASSERT_EQ(s.response.status, 201);
  EXPECT_EQ(json::parse(s.response.body)["role"], "read_only");
  EXPECT_EQ(json::parse(s.response.body)["name"], "viewer");
  EXPECT_EQ(browser("GET", "/api/v1/incidents", {{"Cookie", s.cookie}}).status, 200);
  const auto r = browser("POST", "/api/v1/incidents/1/ack", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, "{}");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["error"], "forbidden");
  EXPECT_EQ(browser("GET", "/api/v1/tokens", {{"Cookie", s.cookie}}).status, 403);
}

TEST_F(SessionApiTest, RevokingTheReadOnlyTokenEndsItsSession) {
  std::int64_t id = 0;
  const auto s = signIn(readOnlyToken(&id));
  ASSERT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 200);
  ASSERT_EQ(call("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 200);
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 401);
}

TEST_F(SessionApiTest, SessionsExpire) {
  const auto s = signIn(kToken);
  clock_.advanceMicros(12 * 3600 * 1'000'000LL - 1'000'000);
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 200);
  clock_.advanceMicros(1'000'000);
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 401);
}

TEST_F(SessionApiTest, SigningOutEndsTheSessionAndClearsTheCookie) {
  const auto s = signIn(kToken);
  const auto r = browser("DELETE", "/api/v1/session", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(header(r, "Set-Cookie"), StartsWith("fh_session=; Path=/; Max-Age=0"));
  EXPECT_EQ(browser("GET", "/api/v1/items", {{"Cookie", s.cookie}}).status, 401);
}

TEST_F(SessionApiTest, OnlyTheIdsHashIsStored) {
  const auto s = signIn(kToken);
  const std::string id = s.cookie.substr(s.cookie.find('=') + 1);
  auto found = backend_->sessionStore().findSession(core::sha256Hex(id), clock_.nowSeconds());
  ASSERT_TRUE(found.has_value() && found->has_value());
  auto byText = backend_->sessionStore().findSession(id, clock_.nowSeconds());
  ASSERT_TRUE(byText.has_value());
  EXPECT_FALSE(byText->has_value());
}

TEST_F(SessionApiTest, StreamsAcceptTheCookieFromTheirOwnOriginOnly) {
  const auto s = signIn(kToken);
  EXPECT_EQ(browser("GET", "/api/v1/events", {{"Cookie", s.cookie}}).status, 200);
  EXPECT_EQ(browser("GET", "/api/v1/stream",
                    {{"Cookie", s.cookie}, {"Host", "127.0.0.1:8765"}, {"Origin", "http://127.0.0.1:8765"}})
                .status,
            200);
  EXPECT_EQ(browser("GET", "/api/v1/stream",
                    {{"Cookie", s.cookie}, {"Host", "127.0.0.1:8765"}, {"Origin", "https://evil.example"}})
                .status,
            401);
  EXPECT_EQ(browser("GET", "/api/v1/events", {{"Cookie", "fh_session=nope"}}).status, 401);
}

}  // namespace
}  // namespace forgehook::api
