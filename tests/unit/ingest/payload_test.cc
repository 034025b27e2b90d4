#include "ingest/payload.h"

#include <gtest/gtest.h>

#include "support/examples.h"

namespace forgehook::ingest {
namespace {

TEST(PayloadTest, ReadsFactsOfEveryGitHubExample) {
  for (const auto& event : testing::webhookExamples()) {
    for (const auto& example : event["examples"]) {
      auto facts = inspectPayload(example.dump(), PayloadShape::GitHubLike);
      ASSERT_TRUE(facts.has_value()) << event["name"];
      EXPECT_EQ(facts->action, example.value("action", "")) << event["name"];
      const std::string repository = example.contains("repository") && example["repository"].is_object()
                                         ? example["repository"].value("full_name", "")
                                         : "";
      EXPECT_EQ(facts->repository, repository) << event["name"];
    }
  }
}

TEST(PayloadTest, GitLabShapeReadsProjectAndUser) {
  auto facts = inspectPayload(
      R"({"object_kind":"pipeline","user":{"username":"alice"},"project":{"path_with_namespace":"g/p"},"object_attributes":{"status":"failed"}})",
      PayloadShape::GitLab);
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ(facts->repository, "g/p");
  EXPECT_EQ(facts->sender, "alice");
  EXPECT_EQ(facts->action, "");
}

TEST(PayloadTest, NonObjectsAndBrokenJsonAreMalformed) {
  for (const char* bad : {"", "[]", "\"text\"", "{\"a\":", "{\"a\":1} trailing", "{'a':1}"}) {
    auto facts = inspectPayload(bad, PayloadShape::GitHubLike);
    ASSERT_FALSE(facts.has_value()) << bad;
    EXPECT_EQ(facts.error().reason, "malformed_json") << bad;
  }
}

}  // namespace
}  // namespace forgehook::ingest
