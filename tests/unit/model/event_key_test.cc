#include "model/event_key.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/examples.h"

namespace forgehook::model {
namespace {

using json = nlohmann::json;

// The first of GitHub's examples of `event` whose action is `action` ("" = the first).
json example(const std::string& event, const std::string& action = "") {
  for (const auto& e : testing::webhookExamples())
    if (e["name"] == event)
      for (const auto& x : e["examples"])
        if (action.empty() || x.value("action", "") == action) return x;
  throw std::runtime_error("no example " + event + "." + action);
}

std::string keyOf(const std::string& event, const json& payload) {
  simdjson::dom::parser parser;
  const std::string text = payload.dump();
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc)) throw std::runtime_error("unparsable example");
  return eventKey(event, JsonView(doc));
}

TEST(EventKeyTest, PushIsRepositoryRefAndNewHead) {
  EXPECT_EQ(keyOf("push", example("push")),
            "push:186853002:refs/tags/simple-tag:6113728f27ae82c7b1a177c8d03f9e96e0adf246");
}

TEST(EventKeyTest, APolledPushNamesItsHeadAsTheEventsApiDoes) {
  // The Events API's PushEvent payload has `head` (and no `after`); the poller adds `repository`.
  json polled = {{"ref", "refs/heads/main"}, {"head", "abc123"}, {"before", "000"}, {"repository", {{"id", 7}}}};
  json pushed = {{"ref", "refs/heads/main"}, {"after", "abc123"}, {"before", "000"}, {"repository", {{"id", 7}}}};
  EXPECT_EQ(keyOf("push", polled), "push:7:refs/heads/main:abc123");
  EXPECT_EQ(keyOf("push", polled), keyOf("push", pushed));
}

TEST(EventKeyTest, PullRequestIsNumberActionAndUpdateTime) {
  EXPECT_EQ(keyOf("pull_request", example("pull_request", "opened")),
            "pull_request:186853002:2:opened:2019-05-15T15:20:33Z");
  EXPECT_EQ(keyOf("pull_request", example("pull_request", "labeled")),
            "pull_request:186853002:2:labeled:2019-05-15T15:20:35Z:bug");
  EXPECT_EQ(keyOf("pull_request", example("pull_request", "review_requested")),
            "pull_request:186853002:2:review_requested:2019-05-15T15:20:33Z:octocat");
}

TEST(EventKeyTest, TwoLabelsAddedInOneSecondAreTwoKeys) {
  auto first = example("pull_request", "labeled");
  auto second = first;
  second["label"]["name"] = "enhancement";
  EXPECT_NE(keyOf("pull_request", first), keyOf("pull_request", second));
}

TEST(EventKeyTest, IssuesAreLikePullRequests) {
  EXPECT_EQ(keyOf("issues", example("issues", "opened")), "issues:186853002:1:opened:2019-05-15T15:20:18Z");
  EXPECT_EQ(keyOf("issues", example("issues", "assigned")),
            "issues:186853002:1:assigned:2019-05-15T15:20:18Z:Codertocat");
}

TEST(EventKeyTest, CommentsReviewsReleasesAndRefs) {
  EXPECT_EQ(keyOf("issue_comment", example("issue_comment", "created")),
            "issue_comment:492700400:created:2019-05-15T15:20:21Z");
  EXPECT_EQ(keyOf("pull_request_review", example("pull_request_review", "submitted")),
            "pull_request_review:237895671:submitted:2019-05-15T15:20:38Z");
  EXPECT_EQ(keyOf("release", example("release", "published")), "release:17372790:published");
  EXPECT_EQ(keyOf("create", example("create")), "create:tag:simple-tag:186853002");
  EXPECT_EQ(keyOf("delete", example("delete")), "delete:tag:simple-tag:186853002");
}

TEST(EventKeyTest, OtherEventsAndIncompletePayloadsHaveNoKey) {
  EXPECT_EQ(keyOf("star", example("star", "created")), "");
  EXPECT_EQ(keyOf("ping", example("ping")), "");
  auto noUpdateTime = example("pull_request", "opened");
  noUpdateTime["pull_request"].erase("updated_at");
  EXPECT_EQ(keyOf("pull_request", noUpdateTime), "");
  auto noRepository = example("push");
  noRepository.erase("repository");
  EXPECT_EQ(keyOf("push", noRepository), "");
}

}  // namespace
}  // namespace forgehook::model
