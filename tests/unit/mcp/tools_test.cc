#include "mcp/tools.h"

#include <gtest/gtest.h>

#include <mutex>

#include "support/idle_change_hub.h"

namespace forgehook::mcp {
namespace {

// API routes that record each call and answer what the test set.
class ToolRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto route = [this](std::string method, std::string path) {
      router.add({.method = method, .path = path, .handler = [this](http::Request&& r, http::Reply reply) {
                    {
                      std::lock_guard lock(mutex);
                      calls.push_back(r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query) +
                                      (r.body.empty() ? "" : " " + r.body));
                    }
                    reply(http::jsonResponse(status, answer));
                  }});
    };
    route("GET", "/api/v1/connections");
    route("GET", "/api/v1/connections/*");
    route("DELETE", "/api/v1/connections/*");
    route("POST", "/api/v1/incidents/*");
    route("GET", "/api/v1/activity");
    route("GET", "/api/v1/deliveries");
  }
  nlohmann::json call(const char* tool, const nlohmann::json& arguments, bool readOnly = false) {
    McpSession session({"id", "tok", readOnly, "2025-11-25"}, hub, std::chrono::steady_clock::now());
    return runner.call(session, *findTool(tool), arguments);
  }

  http::Router router;
  InProcessApi api{router};
  ToolRunner runner{api};
  testing::IdleChangeHub idle;
  live::ChangeHub& hub = idle.hub;
  std::mutex mutex;
  std::vector<std::string> calls;
  int status = 200;
  std::string answer = "{}";
};

TEST_F(ToolRunnerTest, ABadArgumentIsAToolErrorAndTheApiIsNotCalled) {
  const auto result = call("get_webhook_deliveries", {{"webhook_id", "one"}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_EQ(result["content"][0]["text"], "invalid arguments: webhook_id must be an integer");
  EXPECT_TRUE(calls.empty());
}

TEST_F(ToolRunnerTest, AReadOnlyTokenCannotCallAWriteTool) {
  const auto result = call("acknowledge_incident", {{"incident_id", 1}}, /*readOnly=*/true);
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(result["content"][0]["text"].get<std::string>().find("this token is read-only"), std::string::npos);
  EXPECT_TRUE(calls.empty());
}

TEST_F(ToolRunnerTest, RemoveWebhooksRefusesWithoutConfirmBeforeCallingTheApi) {
  const auto result = call("remove_webhooks", {{"webhook_id", 3}, {"confirm", false}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(result["content"][0]["text"].get<std::string>().find("confirm: true"), std::string::npos);
  EXPECT_TRUE(calls.empty());
}

TEST_F(ToolRunnerTest, TheApiIsCalledWithTheArgumentsAndItsAnswerShaped) {
  answer = R"({"id": 5, "acknowledged": {"by": "bob"}})";
  const auto result = call("acknowledge_incident", {{"incident_id", 5}, {"by", "bob"}});
  ASSERT_EQ(result["isError"], false) << result.dump();
  EXPECT_EQ(result["structuredContent"]["incident"]["id"], 5);
  EXPECT_EQ(nlohmann::json::parse(result["content"][0]["text"].get<std::string>()), result["structuredContent"]);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], R"(POST /api/v1/incidents/5/ack {"by":"bob"})");
}

TEST_F(ToolRunnerTest, AnApiErrorBecomesAToolErrorWithItsReason) {
  status = 404;
  answer = R"({"error": "not_found", "message": "no connection 9"})";
  const auto result = call("get_webhook_status", {{"webhook_id", 9}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_EQ(result["content"][0]["text"], "HTTP 404 not_found: no connection 9");
}

TEST_F(ToolRunnerTest, RecentActivityPassesOneActorToTheApiAndFiltersSeveral) {
  answer = R"({"activity": [{"actor": "a"}, {"actor": "b"}, {"actor": "c"}]})";
  call("get_recent_activity", {{"actors", {"a"}}, {"event_types", {"push", "issues"}}});
  EXPECT_EQ(calls.back(), "GET /api/v1/activity?kind=push%2Cissues&actor=a&limit=50");
  const auto several = call("get_recent_activity", {{"actors", {"a", "c"}}});
  EXPECT_EQ(calls.back(), "GET /api/v1/activity?limit=50");
  EXPECT_EQ(several["structuredContent"]["count"], 2);
}

TEST_F(ToolRunnerTest, WebhookDeliveriesReadTheConnectionsRepository) {
  answer = R"({"id": 2, "forge": "github", "repository": "o/r", "deliveries": []})";
  const auto result = call("get_webhook_deliveries", {{"webhook_id", 2}, {"per_page", 5}});
  ASSERT_EQ(result["isError"], false) << result.dump();
  EXPECT_EQ(result["structuredContent"]["repository"], "o/r");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], "GET /api/v1/connections/2");
  EXPECT_EQ(calls[1], "GET /api/v1/deliveries?repository=o%2Fr&forge=github&limit=5");
}

}  // namespace
}  // namespace forgehook::mcp
