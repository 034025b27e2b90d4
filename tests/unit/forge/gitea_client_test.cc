// The Gitea client: `Authorization: token`, the create body (type gitea, JSON, secret, active),
// PATCH updates, tests as pings, pagination, and the APIs Gitea does not have.
#include "forge/gitea_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "forge/scripted_client_test.h"

namespace forgehook::forge {
namespace {

using ::testing::ElementsAre;
using nlohmann::json;

const std::string kApi = "http://127.0.0.1:3000/api/v1";
const std::string kRepo = kApi + "/repos/alice/tools";
const HookTarget kTarget{HookTarget::Kind::Repository, "alice/tools"};

class GiteaClientTest : public ScriptedClientTest {
 protected:
  void SetUp() override {
    makeClient({core::Forge::Gitea, "http://127.0.0.1:3000", ForgeCredential::Kind::Token, "gt0ken", "", ""});
  }
};

TEST_F(GiteaClientTest, CreateSendsAnActiveJsonGiteaHook) {
  http->expect("POST", kRepo + "/hooks", 201,
               R"({"id":3,"type":"gitea","active":true,"events":["push"],"config":{"url":"https://h/webhooks/gitea","content_type":"json"}})");
  const auto hook = client->createHook(kTarget, {"https://h/webhooks/gitea", "sec", {"push"}});
  ASSERT_TRUE(hook) << hook.error().message;
  EXPECT_EQ(hook->id, "3");
  EXPECT_EQ(hook->url, "https://h/webhooks/gitea");
  EXPECT_EQ(hook->contentType, "json");
  EXPECT_TRUE(hook->active);
  const auto sent = http->lastSent();
  EXPECT_EQ(sentHeader(sent, "Authorization"), "token gt0ken");
  const auto body = json::parse(sent.body);
  EXPECT_EQ(body["type"], "gitea");
  EXPECT_EQ(body["active"], true);
  EXPECT_EQ(body["events"], json::array({"push"}));
  EXPECT_EQ(body["config"]["url"], "https://h/webhooks/gitea");
  EXPECT_EQ(body["config"]["content_type"], "json");
  EXPECT_EQ(body["config"]["secret"], "sec");
}

TEST_F(GiteaClientTest, UpdatePatchesWithTheSecret) {
  http->expect("PATCH", kApi + "/orgs/acme/hooks/3", 200, R"({"id":3,"active":true,"config":{"url":"https://h"}})");
  ASSERT_TRUE(client->updateHook({HookTarget::Kind::Organization, "acme"}, "3", {"https://h", "new", {"push"}}));
  EXPECT_EQ(json::parse(http->lastSent().body)["config"]["secret"], "new");
}

TEST_F(GiteaClientTest, PingPostsATest) {
  http->expect("POST", kRepo + "/hooks/3/tests", 204);
  EXPECT_TRUE(client->pingHook(kTarget, "3"));
}

TEST_F(GiteaClientTest, ListFollowsLinks) {
  http->expect("GET", kRepo + "/hooks?limit=50", 200, R"([{"id":1,"active":true}])",
               {{"link", "<" + kRepo + R"(/hooks?limit=50&page=2>; rel="next")"}});
  http->expect("GET", kRepo + "/hooks?limit=50&page=2", 200, R"([{"id":2,"active":false}])");
  const auto hooks = client->listHooks(kTarget);
  ASSERT_TRUE(hooks) << hooks.error().message;
  ASSERT_EQ(hooks->size(), 2u);
  EXPECT_FALSE((*hooks)[1].active);
}

TEST_F(GiteaClientTest, DeliveriesRedeliveryAndPollingAreNotSupported) {
  EXPECT_EQ(client->listDeliveries(kTarget, "3", std::nullopt).error().reason, "not_supported");
  EXPECT_EQ(client->redeliver(kTarget, "3", "1").error().reason, "not_supported");
  EXPECT_EQ(client->pollEvents(kTarget, "").error().reason, "not_supported");
  EXPECT_TRUE(http->sent().empty());
}

}  // namespace
}  // namespace forgehook::forge
