#include "mcp/tool_catalog.h"

#include <gtest/gtest.h>

#include <set>

namespace forgehook::mcp {
namespace {

TEST(ToolCatalogTest, EveryToolHasStrictInputAndObjectOutputSchemas) {
  std::set<std::string> names;
  for (const auto& tool : toolCatalog()) {
    SCOPED_TRACE(tool.name);
    EXPECT_TRUE(names.insert(tool.name).second);
    EXPECT_FALSE(tool.description.empty());
    EXPECT_EQ(tool.inputSchema["type"], "object");
    EXPECT_EQ(tool.inputSchema["additionalProperties"], false);
    for (const auto& name : tool.inputSchema.value("required", nlohmann::json::array()))
      EXPECT_TRUE(tool.inputSchema["properties"].contains(name.get<std::string>())) << name;
    EXPECT_EQ(tool.outputSchema["type"], "object");
    for (const auto& name : tool.outputSchema["required"])
      EXPECT_TRUE(tool.outputSchema["properties"].contains(name.get<std::string>())) << name;
  }
  EXPECT_EQ(names.size(), 17u);
}

TEST(ToolCatalogTest, AnnotationsSayWhatAToolMayChange) {
  EXPECT_EQ(toolJson(*findTool("list_incidents"))["annotations"]["readOnlyHint"], true);
  const auto remove = toolJson(*findTool("remove_webhooks"));
  EXPECT_EQ(remove["annotations"]["readOnlyHint"], false);
  EXPECT_EQ(remove["annotations"]["destructiveHint"], true);
  EXPECT_EQ(toolJson(*findTool("acknowledge_incident"))["annotations"]["destructiveHint"], false);
  EXPECT_EQ(findTool("no_such_tool"), nullptr);
}

}  // namespace
}  // namespace forgehook::mcp
