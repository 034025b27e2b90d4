#include "api/admin_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "support/api_routes_fixture.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The routes' paths with a concrete id where the table has a '*'.
std::string concrete(const http::Route& route) {
  std::string path = route.path;
  if (path.ends_with('*')) path.back() = '1';
  if (route.name.ends_with("/replay")) path += "/replay";
  if (route.name.ends_with("/ack")) path += "/ack";
  if (route.name == "/api/v1/secrets/{scope}") path = "/api/v1/secrets/github/hook/1";
  return path;
}

class AdminAuthTest : public ApiRoutesTest {
 protected:
  // A read-only token made through the API, as an operator would.
  std::string createToken(const std::string& name, std::int64_t* id = nullptr) {
    const auto r = call("POST", "/api/v1/tokens", "", json{{"name", name}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json::parse(r.body);
    if (id) *id = body["id"].get<std::int64_t>();
    return body["token"].get<std::string>();
  }
  std::string issueTicket(const std::string& token) {
    const auto r = call("POST", "/api/v1/stream/tickets", "", "", &token);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["ticket"].get<std::string>();
  }
  static http::Request streamRequest(const std::string& query, const std::string* token = nullptr) {
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/stream";
    request.query = query;
    if (token) request.headers.emplace_back("Authorization", "Bearer " + *token);
    return request;
  }
  const Authenticator& auth() const { return api_.authenticator(); }
};

TEST_F(AdminAuthTest, ReadOnlyTokenReadsEveryReadRoute) {
  const std::string token = createToken("dashboard");
  int checked = 0;
  for (const auto& route : api_.routes()) {
    if (!route.path.starts_with("/api/") || route.method != "GET") continue;
    if (route.path.starts_with("/api/v1/secrets") || route.path.starts_with("/api/v1/tokens")) continue;
    const std::string path = concrete(route);
    SCOPED_TRACE(path);
    const bool sprint = path == "/api/v1/metrics/sprint";
    const auto r = call("GET", path, sprint ? "milestone=v1" : "", "", &token);
    // One item (id 1) or one milestone (v1) that does not exist: 404, past authorization.
    EXPECT_EQ(r.status, route.path.ends_with('*') || sprint ? 404 : 200) << r.body;
    EXPECT_EQ(json::parse(r.body).value("error", ""), route.path.ends_with('*') || sprint ? "not_found" : "");
    ++checked;
  }
  EXPECT_GE(checked, 7 + static_cast<int>(store::resourceSpecs().size()));
}

TEST_F(AdminAuthTest, ReadOnlyTokenIsForbiddenEveryChangeAndTheSecretsAndTokens) {
  const auto deliveryId = appendDelivery("d-1");
  const std::string token = createToken("dashboard");
  int checked = 0;
  for (const auto& route : api_.routes()) {
    if (!route.path.starts_with("/api/")) continue;
    if (route.path == "/api/v1/stream/tickets") continue;  // reading: a ticket to watch a stream
    if (route.path == "/api/v1/session") continue;         // signing in and out (session_api_test.cc)
    if (route.path == "/api/v1/rules/test") continue;      // a dry run, reading only (rules_api_test.cc)
    const bool adminRead = route.path.starts_with("/api/v1/secrets") || route.path.starts_with("/api/v1/tokens");
    if (route.method == "GET" && !adminRead) continue;
    const std::string path = concrete(route);
    SCOPED_TRACE(route.method + " " + path);
    const auto r =
        call(route.method, path, "", R"({"all": true, "title": "t", "name": "n", "secrets": ["s"]})", &token);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(json::parse(r.body)["error"], "forbidden");
    EXPECT_THAT(json::parse(r.body)["message"].get<std::string>(), HasSubstr("read-only token"));
    ++checked;
  }
  // replay x3, prune, items x3, ack, secrets x4 (list, put, delete, rotate-key), tokens x3,
  // subscriptions x4 (create, update, act, delete), commands rerun
  EXPECT_EQ(checked, 20);
  // Nothing ran.
  EXPECT_EQ(pipeline_.requeues, 0);
  EXPECT_EQ(secretsChanged_, 0);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/items").body)["items"].size(), 0u);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/tokens").body)["tokens"].size(), 1u);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/deliveries/" + std::to_string(deliveryId)).body)["status"], "queued");
}

TEST_F(AdminAuthTest, TheAdminTokenStillDoesEverything) {
  EXPECT_EQ(call("GET", "/api/v1/secrets").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/tokens").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/items", "", R"({"title": "t"})").status, 201);
  EXPECT_EQ(call("POST", "/api/v1/stream/tickets").status, 201);
}

TEST_F(AdminAuthTest, RevokedTokenIsUnauthenticated) {
  std::int64_t id = 0;
  const std::string token = createToken("ci", &id);
  EXPECT_EQ(call("GET", "/api/v1/deliveries", "", "", &token).status, 200);

  const auto revoked = call("DELETE", "/api/v1/tokens/" + std::to_string(id));
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(json::parse(revoked.body), json({{"revoked", id}}));

  const auto r = call("GET", "/api/v1/deliveries", "", "", &token);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"], "unauthorized");
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + std::to_string(id + 1)).status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/abc").status, 404);

  const auto listed = json::parse(call("GET", "/api/v1/tokens").body)["tokens"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["revoked_at"], "2026-11-23T10:00:00Z");
}

TEST_F(AdminAuthTest, TheTokenIsShownOnceAndNeverListed) {
  const auto created = call("POST", "/api/v1/tokens", "", R"({"name": "grafana"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto body = json::parse(created.body);
  EXPECT_EQ(body["name"], "grafana");
  EXPECT_EQ(body["created_at"], "2026-11-23T10:00:00Z");
  const std::string token = body["token"];
  EXPECT_TRUE(token.starts_with("fht_"));

  clock_.advanceSeconds(5);
  EXPECT_EQ(call("GET", "/api/v1/activity", "", "", &token).status, 200);
  const auto list = call("GET", "/api/v1/tokens");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token.substr(4)), std::string::npos);
  const auto listed = json::parse(list.body)["tokens"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], json({{"id", body["id"]},
                             {"name", "grafana"},
                             {"created_at", "2026-11-23T10:00:00Z"},
                             {"last_used_at", "2026-11-23T10:00:05Z"},
                             {"revoked_at", nullptr}}));
}

TEST_F(AdminAuthTest, TokenRequestsAreStrict) {
  for (const char* bad :
       {R"({})", R"({"name": ""})", R"({"name": 7})", R"({"name": "a", "scope": "all"})", "[]", "", "not json"}) {
    const auto r = call("POST", "/api/v1/tokens", "", bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(call("POST", "/api/v1/tokens", "", json{{"name", std::string(101, 'a')}}.dump()).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/tokens", "limit=5").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/stream/tickets", "", R"({"ttl": 60})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/stream/tickets", "ttl=60").status, 400);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/tokens").body)["tokens"].size(), 0u);
}

TEST_F(AdminAuthTest, TicketOpensOneStreamOnce) {
  std::int64_t id = 0;
  const std::string token = createToken("browser", &id);
  const auto r = call("POST", "/api/v1/stream/tickets", "", "{}", &token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string ticket = json::parse(r.body)["ticket"];
  EXPECT_EQ(json::parse(r.body)["expires_at"], "2026-11-23T10:00:30.000000Z");

  const auto first = auth().streamPrincipal(streamRequest("ticket=" + ticket));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->isAdmin());
  EXPECT_EQ(first->tokenId, id);
  EXPECT_EQ(first->tokenName, "browser");

  const auto again = auth().streamPrincipal(streamRequest("ticket=" + ticket));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::Code::Unauthenticated);

  // The admin's tickets carry the admin.
  const auto admin = auth().streamPrincipal(streamRequest("ticket=" + issueTicket(kToken)));
  ASSERT_TRUE(admin.has_value());
  EXPECT_TRUE(admin->isAdmin());
}

TEST_F(AdminAuthTest, ExpiredTicketIsRefused) {
  const std::string fresh = issueTicket(kToken);
  const std::string stale = issueTicket(kToken);
  clock_.advanceMicros(StreamTickets::kDefaultTtlMicros - 1);
  EXPECT_TRUE(auth().streamPrincipal(streamRequest("ticket=" + fresh)).has_value());
  clock_.advanceMicros(1);
  const auto r = auth().streamPrincipal(streamRequest("ticket=" + stale));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::Code::Unauthenticated);
}

TEST_F(AdminAuthTest, TicketsWorkOnlyOnStreams) {
  const std::string ticket = issueTicket(kToken);
  // Neither as a bearer token nor as a parameter of another route.
  EXPECT_EQ(call("GET", "/api/v1/deliveries", "", "", &ticket).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/deliveries", "ticket=" + ticket, "", nullptr).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/stream/tickets", "ticket=" + ticket, "", nullptr).status, 401);
  const auto bearer = auth().streamPrincipal(streamRequest("", &ticket));
  ASSERT_FALSE(bearer.has_value());
  EXPECT_EQ(bearer.error().code, core::Code::Unauthenticated);
  // Those attempts did not use it up.
  EXPECT_TRUE(auth().streamPrincipal(streamRequest("ticket=" + ticket)).has_value());
}

TEST_F(AdminAuthTest, StreamsAcceptBearerTokensAndNothingElse) {
  std::int64_t id = 0;
  const std::string token = createToken("ci", &id);
  const auto admin = auth().streamPrincipal(streamRequest("", &kToken));
  ASSERT_TRUE(admin.has_value());
  EXPECT_TRUE(admin->isAdmin());
  const auto readOnly = auth().streamPrincipal(streamRequest("", &token));
  ASSERT_TRUE(readOnly.has_value());
  EXPECT_EQ(readOnly->tokenId, id);

  const std::string wrong = "fht_" + std::string(64, '0');
  for (const auto& request : {streamRequest(""), streamRequest("", &wrong), streamRequest("ticket="),
                              streamRequest("ticket=fhs_unknown"), streamRequest("token=" + token)}) {
    SCOPED_TRACE(request.query);
    const auto r = auth().streamPrincipal(request);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, core::Code::Unauthenticated);
  }
}

TEST_F(AdminAuthTest, RevokingATokenDropsItsUnusedTickets) {
  std::int64_t id = 0;
  const std::string token = createToken("browser", &id);
  const std::string ticket = issueTicket(token);
  const std::string adminTicket = issueTicket(kToken);
  ASSERT_EQ(call("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 200);
  EXPECT_FALSE(auth().streamPrincipal(streamRequest("ticket=" + ticket)).has_value());
  EXPECT_TRUE(auth().streamPrincipal(streamRequest("ticket=" + adminTicket)).has_value());
}

// A request with the session cookie of a session stored directly (not through the API).
class SessionAuthTest : public AdminAuthTest {
 protected:
  static constexpr std::string_view kSessionId = "0123456789abcdef";
  static constexpr std::string_view kCsrf = "csrf-token-for-tests";
  void storeAdminSession(const std::string& adminToken) {
    store::SessionRecord s;
    s.admin = true;
    s.credentialSha256 = core::sha256Hex(adminToken);
    s.csrfToken = std::string(kCsrf);
    s.createdAt = clock_.nowSeconds();
    s.expiresAt = clock_.nowSeconds() + 3600;
    ASSERT_TRUE(backend_->sessionStore().createSession(core::sha256Hex(kSessionId), s, clock_.nowSeconds()));
  }
  static http::Request withCookie(std::string method, std::vector<std::pair<std::string, std::string>> extra = {}) {
    http::Request r;
    r.method = std::move(method);
    r.path = "/api/v1/items";
    r.headers = std::move(extra);
    r.headers.emplace_back("Cookie", "theme=dark; fh_session=" + std::string(kSessionId));
    return r;
  }
};

TEST_F(SessionAuthTest, TheCookieAuthenticatesAndReadsNeedNoCsrfToken) {
  storeAdminSession(kToken);
  for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
    const auto p = auth().authenticate(withCookie(method));
    ASSERT_TRUE(p.has_value()) << method;
    EXPECT_TRUE(p->isAdmin());
    EXPECT_TRUE(p->viaSession());
    EXPECT_EQ(p->sessionCsrf, kCsrf);
  }
}

TEST_F(SessionAuthTest, ACookieChangeNeedsTheSessionsCsrfToken) {
  storeAdminSession(kToken);
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    SCOPED_TRACE(method);
    for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {}, {{"X-CSRF-Token", ""}}, {{"X-CSRF-Token", "csrf-token-for-test"}}, {{"X-Csrf", std::string(kCsrf)}}}) {
      const auto p = auth().authenticate(withCookie(method, headers));
      ASSERT_FALSE(p.has_value());
      EXPECT_EQ(p.error().code, core::Code::Forbidden);
      EXPECT_EQ(p.error().reason, "csrf_token_invalid");
    }
    EXPECT_TRUE(auth().authenticate(withCookie(method, {{"x-csrf-token", std::string(kCsrf)}})).has_value());
  }
}

TEST_F(SessionAuthTest, ABearerHeaderDecidesAloneAndNeedsNoCsrfToken) {
  storeAdminSession(kToken);
  const auto bearer = auth().authenticate(withCookie("POST", {{"Authorization", "Bearer " + kToken}}));
  ASSERT_TRUE(bearer.has_value());
  EXPECT_FALSE(bearer->viaSession());
  // A wrong bearer token is not rescued by a good cookie.
  const auto wrong = auth().authenticate(withCookie("GET", {{"Authorization", "Bearer nope"}}));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, core::Code::Unauthenticated);
}

TEST_F(SessionAuthTest, ReplacingTheAdminTokenEndsAdminSessions) {
  storeAdminSession("the-previous-admin-token");
  const auto p = auth().authenticate(withCookie("GET"));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, core::Code::Unauthenticated);
}

TEST_F(SessionAuthTest, StreamsTakeTheCookieFromTheirOwnOriginOnly) {
  storeAdminSession(kToken);
  auto request = [](std::vector<std::pair<std::string, std::string>> headers) {
    http::Request r = streamRequest("");
    r.headers = std::move(headers);
    r.headers.emplace_back("Cookie", "fh_session=" + std::string(kSessionId));
    return r;
  };
  EXPECT_TRUE(auth().streamPrincipal(request({})).has_value());
  EXPECT_TRUE(
      auth().streamPrincipal(request({{"Host", "dash.example:8765"}, {"Origin", "https://dash.example:8765"}})));
  EXPECT_FALSE(auth().streamPrincipal(request({{"Host", "dash.example:8765"}, {"Origin", "https://evil.example"}})));
  EXPECT_FALSE(auth().streamPrincipal(request({{"Host", "dash.example:8765"}, {"Origin", "null"}})));
}

TEST(StreamTicketsTest, OutstandingTicketsAreBounded) {
  testing::FakeClock clock;
  StreamTickets tickets(clock, 30'000'000, 2);
  ASSERT_TRUE(tickets.issue(Principal::admin()).has_value());
  ASSERT_TRUE(tickets.issue(Principal::admin()).has_value());
  const auto full = tickets.issue(Principal::admin());
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code, core::Code::RateLimited);
  EXPECT_EQ(full.error().retryAfterSeconds, 30);
  clock.advanceSeconds(30);  // the two expire and make room
  EXPECT_TRUE(tickets.issue(Principal::admin()).has_value());
}

}  // namespace
}  // namespace forgehook::api
