// The GitHub client against a scripted transport: request shapes (method, path, headers, JSON body
// with the secret), Link-header pagination of hooks and deliveries, redelivery, ETag polling with
// X-Poll-Interval, the access check, and the hint on a 404.
#include "forge/github_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "forge/scripted_client_test.h"

namespace forgehook::forge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;

const std::string kApi = "https://api.github.test";
const std::string kRepo = kApi + "/repos/octo/app";
const std::string kToken = "ghp_verysecrettoken0001";
const HookTarget kTarget{HookTarget::Kind::Repository, "octo/app"};

constexpr const char* kHookJson = R"({"type":"Repository","id":12345678,"name":"web","active":true,
  "events":["push","pull_request"],"config":{"content_type":"json","insecure_ssl":"0",
  "url":"https://hooks.example/webhooks/github"},"last_response":{"code":200,"status":"active","message":"OK"}})";

class GitHubClientTest : public ScriptedClientTest {
 protected:
  void SetUp() override {
    makeClient({core::Forge::GitHub, kApi + "/", ForgeCredential::Kind::Token, kToken, "", ""});
  }
};

TEST_F(GitHubClientTest, CreateSendsAJsonWebHookWithTheSecretAndTheStandardHeaders) {
  http->expect("POST", kRepo + "/hooks", 201, kHookJson);
  const auto hook = client->createHook(kTarget, {"https://hooks.example/webhooks/github", "s3cr3t", {"push", "pull_request"}});
  ASSERT_TRUE(hook) << hook.error().message;
  EXPECT_EQ(hook->id, "12345678");
  EXPECT_EQ(hook->url, "https://hooks.example/webhooks/github");
  EXPECT_THAT(hook->events, ElementsAre("push", "pull_request"));
  EXPECT_EQ(hook->contentType, "json");
  EXPECT_EQ(hook->lastResponse.code, 200);
  EXPECT_EQ(hook->lastResponse.status, "active");

  const auto sent = http->lastSent();
  EXPECT_EQ(sentHeader(sent, "Authorization"), "Bearer " + kToken);
  EXPECT_EQ(sentHeader(sent, "Accept"), "application/vnd.github+json");
  EXPECT_EQ(sentHeader(sent, "X-GitHub-Api-Version"), "2022-11-28");
  EXPECT_THAT(sentHeader(sent, "User-Agent").value_or(""), HasSubstr("forgehook/"));
  EXPECT_EQ(sentHeader(sent, "Content-Type"), "application/json");
  const auto body = json::parse(sent.body);
  EXPECT_EQ(body["name"], "web");
  EXPECT_EQ(body["active"], true);
  EXPECT_EQ(body["events"], json::array({"push", "pull_request"}));
  EXPECT_EQ(body["config"]["url"], "https://hooks.example/webhooks/github");
  EXPECT_EQ(body["config"]["content_type"], "json");
  EXPECT_EQ(body["config"]["secret"], "s3cr3t");
  EXPECT_EQ(body["config"]["insecure_ssl"], "0");
}

TEST_F(GitHubClientTest, UpdatePatchesTheWholeConfigIncludingTheSecret) {
  http->expect("PATCH", kRepo + "/hooks/12345678", 200, kHookJson);
  ASSERT_TRUE(client->updateHook(kTarget, "12345678", {"https://hooks.example/webhooks/github", "n3w", {"push"}}));
  const auto body = json::parse(http->lastSent().body);
  EXPECT_EQ(body["config"]["secret"], "n3w");
  EXPECT_EQ(body["config"]["url"], "https://hooks.example/webhooks/github");
  EXPECT_EQ(body["config"]["content_type"], "json");
  EXPECT_EQ(body["events"], json::array({"push"}));
  EXPECT_EQ(body["active"], true);
  EXPECT_FALSE(body.contains("name"));
}

TEST_F(GitHubClientTest, OrganisationHooksLiveUnderOrgs) {
  http->expect("DELETE", kApi + "/orgs/octo/hooks/9", 204);
  EXPECT_TRUE(client->deleteHook({HookTarget::Kind::Organization, "octo"}, "9"));
}

TEST_F(GitHubClientTest, PingPostsToPings) {
  http->expect("POST", kRepo + "/hooks/9/pings", 204);
  EXPECT_TRUE(client->pingHook(kTarget, "9"));
}

TEST_F(GitHubClientTest, ListHooksFollowsTheNextLinks) {
  const std::string page2 = kApi + "/repositories/42/hooks?per_page=100&page=2";
  http->expect("GET", kRepo + "/hooks?per_page=100", 200, std::string("[") + kHookJson + "]",
               {{"link", "<" + page2 + R"(>; rel="next", <)" + page2 + R"(>; rel="last")"}});
  http->expect("GET", page2, 200, R"([{"id":2,"active":false,"events":["*"],"config":{"url":"https://b"}}])",
               {{"link", "<" + kApi + R"(/repositories/42/hooks?per_page=100&page=1>; rel="first")"}});
  const auto hooks = client->listHooks(kTarget);
  ASSERT_TRUE(hooks) << hooks.error().message;
  ASSERT_EQ(hooks->size(), 2u);
  EXPECT_EQ((*hooks)[0].id, "12345678");
  EXPECT_EQ((*hooks)[1].id, "2");
  EXPECT_FALSE((*hooks)[1].active);
  EXPECT_EQ(http->pending(), 0u);
}

TEST_F(GitHubClientTest, DeliveriesPageWithTheCursorOfTheNextLink) {
  const std::string first = kRepo + "/hooks/7/deliveries?per_page=100";
  http->expect("GET", first, 200,
               R"([{"id":1001,"guid":"0b989ba4-242f-11e5-81e1-c7b6966d2516","delivered_at":"2019-06-03T00:57:16Z",
                    "redelivery":false,"duration":0.27,"status":"OK","status_code":200,"event":"issues",
                    "action":"opened","installation_id":null,"repository_id":42}])",
               {{"link", "<" + first + R"(&cursor=v1_1001%3D>; rel="next")"}});
  const auto page = client->listDeliveries(kTarget, "7", std::nullopt);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->deliveries.size(), 1u);
  const auto& delivery = page->deliveries[0];
  EXPECT_EQ(delivery.id, "1001");
  EXPECT_EQ(delivery.guid, "0b989ba4-242f-11e5-81e1-c7b6966d2516");
  EXPECT_EQ(delivery.deliveredAt, 1559523436);
  EXPECT_EQ(delivery.statusCode, 200);
  EXPECT_EQ(delivery.status, "OK");
  EXPECT_EQ(delivery.event, "issues");
  EXPECT_EQ(delivery.action, "opened");
  ASSERT_TRUE(page->nextCursor);
  EXPECT_EQ(*page->nextCursor, "v1_1001=");

  http->expect("GET", first + "&cursor=v1_1001%3D", 200, "[]");
  const auto last = client->listDeliveries(kTarget, "7", page->nextCursor);
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_TRUE(last->deliveries.empty());
  EXPECT_FALSE(last->nextCursor);
}

TEST_F(GitHubClientTest, RedeliverPostsAnAttempt) {
  http->expect("POST", kRepo + "/hooks/7/deliveries/1001/attempts", 202, "{}");
  EXPECT_TRUE(client->redeliver(kTarget, "7", "1001"));
}

TEST_F(GitHubClientTest, PollingSendsTheETagAndReadsThePollInterval) {
  http->expect("GET", kRepo + "/events?per_page=100", 200,
               R"([{"id":"22249084964","type":"PushEvent","created_at":"2022-06-09T12:47:28Z","payload":{}}])",
               {{"etag", "W/\"abc\""}, {"x-poll-interval", "90"}});
  const auto first = client->pollEvents(kTarget, "");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->notModified);
  EXPECT_EQ(first->etag, "W/\"abc\"");
  EXPECT_EQ(first->pollIntervalSeconds, 90);
  ASSERT_EQ(first->events.size(), 1u);
  EXPECT_EQ(first->events[0].id, "22249084964");
  EXPECT_EQ(first->events[0].type, "PushEvent");
  EXPECT_EQ(first->events[0].createdAt, 1654778848);
  EXPECT_EQ(json::parse(first->events[0].json)["type"], "PushEvent");
  EXPECT_FALSE(sentHeader(http->lastSent(), "If-None-Match"));

  http->expect("GET", kRepo + "/events?per_page=100", 304, "", {{"etag", "W/\"abc\""}, {"x-poll-interval", "60"}});
  const auto second = client->pollEvents(kTarget, first->etag);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->notModified);
  EXPECT_TRUE(second->events.empty());
  EXPECT_EQ(second->etag, "W/\"abc\"");
  EXPECT_EQ(second->pollIntervalSeconds, 60);
  EXPECT_EQ(sentHeader(http->lastSent(), "If-None-Match"), "W/\"abc\"");
}

TEST_F(GitHubClientTest, NotFoundOnHooksCarriesThePermissionHintAndNoToken) {
  http->expect("GET", kRepo + "/hooks/1", 404, R"({"message":"Not Found"})");
  const auto hook = client->getHook(kTarget, "1");
  ASSERT_FALSE(hook);
  EXPECT_EQ(hook.error().reason, "forge_not_found");
  EXPECT_THAT(hook.error().message, HasSubstr("admin:repo_hook"));
  EXPECT_EQ(hook.error().message.find(kToken), std::string::npos);
}

TEST_F(GitHubClientTest, ARepositoryPathMustBeOwnerAndName) {
  const auto hooks = client->listHooks({HookTarget::Kind::Repository, "../../user"});
  ASSERT_FALSE(hooks);
  EXPECT_EQ(hooks.error().reason, "invalid_target");
  EXPECT_TRUE(http->sent().empty());
}

TEST_F(GitHubClientTest, AccessCheckReadsAdminAndTheClassicScopes) {
  http->expect("GET", kRepo + "/hooks?per_page=1", 200, "[]", {{"x-oauth-scopes", "repo:status, read:repo_hook"}});
  http->expect("GET", kRepo, 200, R"({"full_name":"octo/app","permissions":{"admin":true,"push":true}})");
  const auto report = client->checkAccess(kTarget);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->canReadHooks);
  EXPECT_FALSE(report->canManageHooks);
  EXPECT_EQ(report->credential, "token");
  EXPECT_THAT(report->scopes, ElementsAre("repo:status", "read:repo_hook"));
  EXPECT_THAT(report->detail, HasSubstr("admin:repo_hook"));
}

TEST_F(GitHubClientTest, AccessCheckReportsANonAdmin) {
  http->expect("GET", kRepo + "/hooks?per_page=1", 200, "[]", {{"x-oauth-scopes", "admin:repo_hook"}});
  http->expect("GET", kRepo, 200, R"({"permissions":{"admin":false,"push":true}})");
  const auto report = client->checkAccess(kTarget);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->canManageHooks);
  EXPECT_THAT(report->detail, HasSubstr("not an admin"));
}

TEST_F(GitHubClientTest, AccessCheckTurnsA404IntoAFinding) {
  http->expect("GET", kRepo + "/hooks?per_page=1", 404, R"({"message":"Not Found"})");
  const auto report = client->checkAccess(kTarget);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->canReadHooks);
  EXPECT_FALSE(report->canManageHooks);
  EXPECT_THAT(report->detail, HasSubstr("Webhooks repository permission"));
}

TEST_F(GitHubClientTest, BudgetsCountTheCallsOfTheToken) {
  http->expect("GET", kRepo + "/hooks/1", 200, kHookJson,
               {{"x-ratelimit-limit", "5000"}, {"x-ratelimit-remaining", "4321"}, {"x-ratelimit-reset", "1700003600"}});
  ASSERT_TRUE(client->getHook(kTarget, "1"));
  const auto budgets = client->budgets();
  ASSERT_EQ(budgets.size(), 1u);
  EXPECT_EQ(budgets[0].forge, "github");
  EXPECT_EQ(budgets[0].credential, "token");
  EXPECT_EQ(budgets[0].remaining, 4321);
  EXPECT_EQ(budgets[0].calls, 1);
}

}  // namespace
}  // namespace forgehook::forge
