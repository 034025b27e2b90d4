// The GitLab client: encoded project paths, PRIVATE-TOKEN, events as boolean fields with the secret
// as `token`, the test push, the hook event log and resend, and not_supported on older servers.
#include "forge/gitlab_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "forge/scripted_client_test.h"

namespace forgehook::forge {
namespace {

using ::testing::ElementsAre;
using nlohmann::json;

const std::string kApi = "https://gitlab.example/api/v4";
const std::string kProject = kApi + "/projects/group%2Fsub%2Fproject";
const HookTarget kTarget{HookTarget::Kind::Repository, "group/sub/project"};
const std::string kToken = "glpat-secrettokenvalue";

class GitLabClientTest : public ScriptedClientTest {
 protected:
  void SetUp() override {
    makeClient({core::Forge::GitLab, "https://gitlab.example", ForgeCredential::Kind::Token, kToken, "", ""});
  }
};

TEST_F(GitLabClientTest, CreateSendsTheEventSwitchesAndTheSecretAsToken) {
  http->expect("POST", kProject + "/hooks", 201,
               R"({"id":1,"url":"https://hooks.example/webhooks/gitlab","push_events":true,
                   "merge_requests_events":true,"tag_push_events":false,"alert_status":"executable"})");
  const auto hook = client->createHook(kTarget, {"https://hooks.example/webhooks/gitlab", "tok3n",
                                                 {"push_events", "merge_requests_events"}});
  ASSERT_TRUE(hook) << hook.error().message;
  EXPECT_EQ(hook->id, "1");
  EXPECT_THAT(hook->events, ElementsAre("push_events", "merge_requests_events"));
  EXPECT_TRUE(hook->active);
  const auto sent = http->lastSent();
  EXPECT_EQ(sentHeader(sent, "PRIVATE-TOKEN"), kToken);
  EXPECT_FALSE(sentHeader(sent, "Authorization"));
  const auto body = json::parse(sent.body);
  EXPECT_EQ(body["url"], "https://hooks.example/webhooks/gitlab");
  EXPECT_EQ(body["token"], "tok3n");
  EXPECT_EQ(body["push_events"], true);
  EXPECT_EQ(body["merge_requests_events"], true);
  EXPECT_EQ(body["issues_events"], false);
  EXPECT_EQ(body["enable_ssl_verification"], true);
}

TEST_F(GitLabClientTest, UpdatePutsAndGroupsLiveUnderGroups) {
  http->expect("PUT", kApi + "/groups/group%2Fsub/hooks/5", 200, R"({"id":5,"url":"https://x","push_events":true})");
  ASSERT_TRUE(client->updateHook({HookTarget::Kind::Organization, "group/sub"}, "5", {"https://x", "t", {"push_events"}}));
  EXPECT_EQ(json::parse(http->lastSent().body)["token"], "t");
}

TEST_F(GitLabClientTest, PingTriggersATestPush) {
  http->expect("POST", kProject + "/hooks/5/test/push_events", 201, R"({"message":"201 Created"})");
  EXPECT_TRUE(client->pingHook(kTarget, "5"));
}

TEST_F(GitLabClientTest, ADisabledHookIsNotActive) {
  http->expect("GET", kProject + "/hooks/5", 200, R"({"id":5,"url":"https://x","alert_status":"temporarily_disabled"})");
  const auto hook = client->getHook(kTarget, "5");
  ASSERT_TRUE(hook);
  EXPECT_FALSE(hook->active);
}

TEST_F(GitLabClientTest, ListsHookEventsWithThePageAsCursor) {
  http->expect("GET", kProject + "/hooks/5/events?per_page=100", 200,
               R"([{"id":9,"url":"https://x","trigger":"push_hooks","response_status":"200","created_at":"2024-08-01T10:00:00Z",
                    "request_headers":{"X-Gitlab-Event":"Push Hook","Idempotency-Key":"idem-1","X-Gitlab-Event-UUID":"uuid-1"}},
                   {"id":8,"trigger":"push_hooks","response_status":"internal error","request_headers":{"X-Gitlab-Event-UUID":"uuid-0"}}])",
               {{"x-next-page", "2"}});
  const auto page = client->listDeliveries(kTarget, "5", std::nullopt);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->deliveries.size(), 2u);
  EXPECT_EQ(page->deliveries[0].id, "9");
  EXPECT_EQ(page->deliveries[0].guid, "idem-1");
  EXPECT_EQ(page->deliveries[0].statusCode, 200);
  EXPECT_EQ(page->deliveries[0].status, "OK");
  EXPECT_EQ(page->deliveries[0].event, "push_hooks");
  EXPECT_EQ(page->deliveries[1].guid, "uuid-0");
  EXPECT_EQ(page->deliveries[1].statusCode, 0);
  EXPECT_EQ(page->deliveries[1].status, "internal error");
  EXPECT_EQ(page->nextCursor, "2");

  http->expect("GET", kProject + "/hooks/5/events?per_page=100&page=2", 200, "[]", {{"x-next-page", ""}});
  const auto last = client->listDeliveries(kTarget, "5", page->nextCursor);
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->nextCursor);
}

TEST_F(GitLabClientTest, OlderServersWithoutTheEventLogAreNotSupported) {
  http->expect("GET", kProject + "/hooks/5/events?per_page=100", 404, R"({"error":"404 Not Found"})");
  const auto page = client->listDeliveries(kTarget, "5", std::nullopt);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().reason, "not_supported");
  http->expect("POST", kProject + "/hooks/5/events/9/resend", 404, R"({"error":"404 Not Found"})");
  const auto resent = client->redeliver(kTarget, "5", "9");
  ASSERT_FALSE(resent);
  EXPECT_EQ(resent.error().reason, "not_supported");
}

TEST_F(GitLabClientTest, ResendPostsToTheEvent) {
  http->expect("POST", kProject + "/hooks/5/events/9/resend", 201, "{}");
  EXPECT_TRUE(client->redeliver(kTarget, "5", "9"));
}

TEST_F(GitLabClientTest, PollingIsNotSupported) {
  const auto page = client->pollEvents(kTarget, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().reason, "not_supported");
}

TEST_F(GitLabClientTest, ValidationErrorsAreRejectedWithGitLabsWords) {
  http->expect("POST", kProject + "/hooks", 400, R"({"message":{"url":["is blocked: Requests to localhost are not allowed"]}})");
  const auto hook = client->createHook(kTarget, {"http://localhost/x", "t", {"push_events"}});
  ASSERT_FALSE(hook);
  EXPECT_EQ(hook.error().reason, "forge_rejected");
  EXPECT_NE(hook.error().message.find("Requests to localhost are not allowed"), std::string::npos);
  EXPECT_EQ(hook.error().message.find(kToken), std::string::npos);
}

}  // namespace
}  // namespace forgehook::forge
