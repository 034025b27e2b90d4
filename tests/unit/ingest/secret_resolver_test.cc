#include "ingest/secret_resolver.h"

#include <gtest/gtest.h>

namespace forgehook::ingest {
namespace {

TEST(SecretResolverTest, ConfiguredSecretsKeepTheirOrder) {
  SecretResolver r({{"github", {"current", "previous"}}});
  ASSERT_EQ(r.configured("github")->size(), 2u);
  EXPECT_EQ(r.configured("github")->front(), "current");
  EXPECT_TRUE(r.configured("gitlab")->empty());
}

TEST(SecretResolverTest, StoredScopesAreFoundPerForge) {
  SecretResolver r({});
  r.replaceStored({{"github", "hook", "1", {"h"}}, {"gitlab", "repository", "g/p", {"r"}}});
  ASSERT_NE(r.forHook("github", "1"), nullptr);
  EXPECT_EQ(r.forHook("github", "1")->front(), "h");
  EXPECT_EQ(r.forHook("gitlab", "1"), nullptr);
  EXPECT_EQ(r.forHook("github", ""), nullptr);
  EXPECT_TRUE(r.hasRepositorySecrets("gitlab"));
  EXPECT_FALSE(r.hasRepositorySecrets("github"));
  ASSERT_NE(r.forRepository("gitlab", "g/p"), nullptr);
}

TEST(SecretResolverTest, AGitHubAppsWebhookSecretIsFoundByTheAppsId) {
  SecretResolver r({});
  r.replaceStored({{"github", "app", "777", {"app-secret"}}, {"github", "hook", "777", {"hook-secret"}}});
  ASSERT_NE(r.forApp("github", "777"), nullptr);
  EXPECT_EQ(r.forApp("github", "777")->front(), "app-secret");
  EXPECT_EQ(r.forHook("github", "777")->front(), "hook-secret");  // a hook id is another key space
  EXPECT_EQ(r.forApp("github", ""), nullptr);
  EXPECT_EQ(r.forApp("gitea", "777"), nullptr);
}

TEST(SecretResolverTest, ReplaceDropsRemovedScopes) {
  SecretResolver r({});
  r.replaceStored({{"github", "repository", "o/r", {"x"}}});
  r.replaceStored({});
  EXPECT_EQ(r.forRepository("github", "o/r"), nullptr);
  EXPECT_FALSE(r.hasRepositorySecrets("github"));
}

TEST(SecretResolverTest, RepositoryScopesMatchNamesCaseInsensitivelyAsTheForgesDo) {
  SecretResolver r({});
  r.replaceStored({{"github", "repository", "Codertocat/Hello-World", {"x"}}});
  ASSERT_NE(r.forRepository("github", "codertocat/hello-world"), nullptr);
  ASSERT_NE(r.forRepository("github", "CODERTOCAT/HELLO-WORLD"), nullptr);
  EXPECT_EQ(r.forRepository("github", "codertocat/hello-world")->front(), "x");
  EXPECT_EQ(r.forRepository("github", "codertocat/other"), nullptr);
  // Hook ids are not names: they match exactly.
  r.replaceStored({{"github", "hook", "AbC", {"h"}}});
  EXPECT_EQ(r.forHook("github", "abc"), nullptr);
}

}  // namespace
}  // namespace forgehook::ingest
