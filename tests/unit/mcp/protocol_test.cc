#include "mcp/protocol.h"

#include <gtest/gtest.h>

namespace forgehook::mcp {
namespace {

TEST(ProtocolTest, ASupportedVersionIsEchoed) {
  for (auto version : {"2025-11-25", "2025-06-18", "2025-03-26"}) EXPECT_EQ(negotiateVersion(version), version);
}

TEST(ProtocolTest, AnUnknownVersionGetsOurNewest) {
  EXPECT_EQ(negotiateVersion("2024-11-05"), "2025-11-25");
  EXPECT_EQ(negotiateVersion(""), "2025-11-25");
  EXPECT_FALSE(isSupportedVersion("2024-11-05"));
}

TEST(ProtocolTest, InitializeOffersToolsAndSubscribableResources) {
  const auto result = initializeResult("2025-06-18", "1.2.3");
  EXPECT_EQ(result["protocolVersion"], "2025-06-18");
  EXPECT_EQ(result["serverInfo"]["name"], "forgehook");
  EXPECT_EQ(result["serverInfo"]["version"], "1.2.3");
  EXPECT_EQ(result["capabilities"]["tools"]["listChanged"], false);
  EXPECT_EQ(result["capabilities"]["resources"]["subscribe"], true);
  EXPECT_EQ(result["capabilities"]["resources"]["listChanged"], false);
}

}  // namespace
}  // namespace forgehook::mcp
