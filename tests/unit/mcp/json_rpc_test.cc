#include "mcp/json_rpc.h"

#include <gtest/gtest.h>

namespace forgehook::mcp {
namespace {

TEST(JsonRpcTest, ARequestKeepsIdMethodAndParams) {
  auto m = parseMessage(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->kind, RpcMessage::Kind::Request);
  EXPECT_EQ(m->id, 7);
  EXPECT_EQ(m->method, "tools/list");
  EXPECT_EQ(m->params["cursor"], "x");
}

TEST(JsonRpcTest, NotificationsAndResponsesAreTold) {
  EXPECT_EQ(parseMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")->kind,
            RpcMessage::Kind::Notification);
  EXPECT_EQ(parseMessage(R"({"jsonrpc":"2.0","id":"a","result":{}})")->kind, RpcMessage::Kind::Response);
}

TEST(JsonRpcTest, TextThatIsNotJsonIsAParseError) {
  auto m = parseMessage("{not json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code, rpc::kParseError);
  EXPECT_TRUE(m.error().id.is_null());
}

TEST(JsonRpcTest, BatchesAreRefused) {
  auto m = parseMessage(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code, rpc::kInvalidRequest);
}

TEST(JsonRpcTest, MalformedRequestsAreInvalidAndKeepTheirId) {
  for (const char* text : {R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":1,"method":""})", R"({"jsonrpc":"2.0","id":1,"method":3})",
                           R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})"}) {
    auto m = parseMessage(text);
    ASSERT_FALSE(m.has_value()) << text;
    EXPECT_EQ(m.error().code, rpc::kInvalidRequest) << text;
    EXPECT_EQ(m.error().id, 1) << text;
  }
  auto badId = parseMessage(R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})");
  ASSERT_FALSE(badId.has_value());
  EXPECT_EQ(badId.error().code, rpc::kInvalidRequest);
}

TEST(JsonRpcTest, WrittenMessagesAreJsonRpc) {
  EXPECT_EQ(nlohmann::json::parse(resultText(3, {{"ok", true}})),
            nlohmann::json::parse(R"({"jsonrpc":"2.0","id":3,"result":{"ok":true}})"));
  EXPECT_EQ(nlohmann::json::parse(errorText(nullptr, rpc::kParseError, "bad")),
            nlohmann::json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})"));
  EXPECT_EQ(
      nlohmann::json::parse(notificationText("notifications/resources/updated", {{"uri", "u"}})),
      nlohmann::json::parse(R"({"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"u"}})"));
}

}  // namespace
}  // namespace forgehook::mcp
