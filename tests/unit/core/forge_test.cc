#include "core/forge.h"

#include <gtest/gtest.h>

#include <string>

namespace forgehook::core {
namespace {

TEST(ForgeTest, WireNamesAreTheOnesForgesAreKnownBy) {
  EXPECT_EQ(forgeName(Forge::GitHub), "github");
  EXPECT_EQ(forgeName(Forge::GitLab), "gitlab");
  EXPECT_EQ(forgeName(Forge::Gitea), "gitea");
}

TEST(ForgeTest, ParseIsTheInverseOfTheName) {
  for (const Forge forge : kForges) EXPECT_EQ(parseForge(forgeName(forge)), forge);
}

TEST(ForgeTest, ParseRefusesAnythingButTheExactName) {
  EXPECT_EQ(parseForge(""), std::nullopt);
  EXPECT_EQ(parseForge("GitHub"), std::nullopt);
  EXPECT_EQ(parseForge(" github"), std::nullopt);
  EXPECT_EQ(parseForge("githu"), std::nullopt);
  EXPECT_EQ(parseForge("forgejo"), std::nullopt);
}

TEST(ForgeTest, KnownForgesTextListsEveryForgeInOrder) {
  std::string expected;
  for (std::size_t i = 0; i < kForges.size(); ++i) {
    if (i > 0) expected += i + 1 == kForges.size() ? " or " : ", ";
    expected += forgeName(kForges[i]);
  }
  EXPECT_EQ(knownForgesText(), expected);
  EXPECT_EQ(knownForgesText(), "github, gitlab or gitea");
}

}  // namespace
}  // namespace forgehook::core
