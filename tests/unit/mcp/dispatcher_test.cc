#include "mcp/dispatcher.h"

#include <gtest/gtest.h>

#include "support/idle_change_hub.h"

namespace forgehook::mcp {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  nlohmann::json ask(std::string_view text, bool readOnly = false) {
    McpSession session({"id", "tok", readOnly, "2025-11-25"}, hub, std::chrono::steady_clock::now());
    return nlohmann::json::parse(dispatcher.answer(session, *parseMessage(text)));
  }
  http::Router router;
  InProcessApi api{router};
  Dispatcher dispatcher{api};
  testing::IdleChangeHub idle;
  live::ChangeHub& hub = idle.hub;
};

TEST_F(DispatcherTest, ToolsListShowsAReadOnlyTokenOnlyTheReadTools) {
  const auto all = ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})")["result"]["tools"];
  const auto reads = ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", true)["result"]["tools"];
  EXPECT_EQ(all.size(), toolCatalog().size());
  EXPECT_LT(reads.size(), all.size());
  for (const auto& tool : reads) EXPECT_EQ(tool["annotations"]["readOnlyHint"], true) << tool["name"];
}

TEST_F(DispatcherTest, ErrorsUseTheSpecsCodes) {
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})")["error"]["code"],
            rpc::kInvalidParams);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}})")["error"]["code"], rpc::kInvalidParams);
  EXPECT_EQ(
      ask(R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"forgehook://x"}})")["error"]["code"],
      rpc::kResourceNotFound);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"nothing/here"})")["error"]["code"], rpc::kMethodNotFound);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})")["error"]["code"],
            rpc::kInvalidRequest);
}

TEST_F(DispatcherTest, PingAndTemplatesAnswer) {
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":"p","method":"ping"})"),
            nlohmann::json::parse(R"({"jsonrpc":"2.0","id":"p","result":{}})"));
  EXPECT_EQ(
      ask(R"({"jsonrpc":"2.0","id":1,"method":"resources/templates/list"})")["result"]["resourceTemplates"].size(),
      kRepositoryResources.size());
}

}  // namespace
}  // namespace forgehook::mcp
