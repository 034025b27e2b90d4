// Scenarios from the activity-model issue, end to end through the real store, processor and model,
// on GitHub's own payload examples edited only in the fields each scenario needs.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "support/scenario_payloads.h"
#include "support/scenario_world.h"

namespace forgehook::testing {
namespace {

constexpr std::int64_t T0 = kScenarioT0;
constexpr std::int64_t kHour = 3600;

json only(const std::vector<json>& rows) {
  EXPECT_EQ(rows.size(), 1u);
  return rows.empty() ? json() : rows.front();
}

TEST(Scenario, PullRequestLifeGivesExactCycleAndReviewTimes) {
  ScenarioWorld world;
  world.receive({gh("pull_request", pullRequest("opened", T0), "d1"),
                 gh("pull_request_review", review(T0 + 2 * kHour), "d2"),
                 gh("pull_request", pullRequest("synchronize", T0 + 3 * kHour), "d3"),
                 gh("pull_request", mergedPullRequest(T0 + 5 * kHour), "d4")});
  EXPECT_EQ(world.process().processed, 4);
  const json pr = only(world.list("pulls"));
  EXPECT_EQ(pr["number"], 7);
  EXPECT_EQ(pr["state"], "merged");
  EXPECT_EQ(pr["stub"], false);
  EXPECT_EQ(pr["created_at"], iso(T0));
  EXPECT_EQ(pr["merged_at"], iso(T0 + 5 * kHour));
  EXPECT_DOUBLE_EQ(pr["cycle_time_hours"].get<double>(), 5.0);
  EXPECT_EQ(pr["first_review_at"], iso(T0 + 2 * kHour));
  EXPECT_DOUBLE_EQ(pr["review_time_hours"].get<double>(), 2.0);
  const json r = only(world.list("reviews"));
  EXPECT_EQ(r["reviewer"], "octo-reviewer");
  EXPECT_EQ(r["state"], "approved");
  EXPECT_EQ(world.list("activity").size(), 4u);
}

TEST(Scenario, ReviewBeforeItsPullRequestLeavesAStubThePullRequestFills) {
  ScenarioWorld world;
  world.receive({gh("pull_request_review", review(T0 + kHour), "d1")});
  world.process();
  json stub = only(world.list("pulls"));
  EXPECT_EQ(stub["stub"], true);
  EXPECT_EQ(stub["number"], 7);
  EXPECT_TRUE(stub["state"].is_null());
  world.receive({gh("pull_request", pullRequest("opened", T0), "d2")});
  world.process();
  const json pr = only(world.list("pulls"));
  EXPECT_EQ(pr["stub"], false);
  EXPECT_EQ(pr["state"], "open");
  EXPECT_DOUBLE_EQ(pr["review_time_hours"].get<double>(), 1.0);
}

TEST(Scenario, IssueClosedReopenedAndRelabeledDrivesItsPlannedItem) {
  ScenarioWorld world;
  store::ItemInput in;
  in.title = "Sprint board";
  in.owner = "alice";
  in.forge = "github";
  in.repository = baseRepository()["full_name"].get<std::string>();
  in.issueNumber = 42;
  in.tagsJson = R"(["q3"])";  // set by hand: kept apart from the issue's labels
  auto created = world.planning().createItem(in, T0);
  ASSERT_TRUE(created) << created.error().message;
  const auto id = json::parse(*created)["id"].get<std::int64_t>();
  auto item = [&] { return json::parse(*world.planning().getItem(id)); };
  EXPECT_EQ(item()["status"], "planned");

  world.receive({gh("issues", issue("opened", T0, "open", {}), "i1"),
                 gh("issues", issue("labeled", T0 + kHour, "open", {"bug", "roadmap"}), "i2"),
                 gh("issues", issue("closed", T0 + 2 * kHour, "closed", {"bug", "roadmap"}, "completed"), "i3")});
  world.process();
  EXPECT_EQ(item()["status"], "completed");
  EXPECT_EQ(item()["completed_at"], iso(T0 + 2 * kHour));
  EXPECT_EQ(item()["labels"], json({"bug", "roadmap"}));
  EXPECT_EQ(item()["tags"], json({"q3"}));

  // A hand edit of another field survives what the issue does next.
  store::ItemInput edit;
  edit.title = "Sprint board v2";
  ASSERT_TRUE(world.planning().updateItem(id, edit, T0 + 3 * kHour));
  world.receive({gh("issues", issue("reopened", T0 + 4 * kHour, "open", {"bug", "roadmap"}), "i4"),
                 gh("issues", issue("unlabeled", T0 + 5 * kHour, "open", {"feature"}), "i5")});
  world.process();
  EXPECT_EQ(item()["status"], "in_progress");
  EXPECT_TRUE(item()["completed_at"].is_null());
  EXPECT_EQ(item()["labels"], json({"feature"}));
  EXPECT_EQ(item()["tags"], json({"q3"}));
  EXPECT_EQ(item()["title"], "Sprint board v2");
  EXPECT_EQ(item()["owner"], "alice");

  world.receive({gh("issues", issue("closed", T0 + 6 * kHour, "closed", {"feature"}, "not_planned"), "i6")});
  world.process();
  EXPECT_EQ(item()["status"], "not_planned");
  EXPECT_TRUE(item()["completed_at"].is_null());
}

TEST(Scenario, FailedRunOpensAnIncidentAndTheNextSuccessResolvesIt) {
  ScenarioWorld world;
  world.receive({gh("workflow_run", workflowRun(100, "failure", T0), "w1"),
                 gh("workflow_run", workflowRun(101, "failure", T0 + kHour), "w2"),
                 gh("workflow_run", workflowRun(200, "failure", T0, "feature"), "w3")});
  world.process();
  auto open = world.list("incidents", [](auto& q) { q.state = "open"; });
  ASSERT_EQ(open.size(), 2u);  // one per workflow and branch
  const json main = world.list("incidents", [](auto& q) { q.state = "open"; })[1];
  EXPECT_EQ(main["branch"], "main");
  EXPECT_EQ(main["failed_runs"], json({"100/1", "101/1"}));
  auto acked = world.planning().acknowledgeIncident(main["id"].get<std::int64_t>(), "bob", "looking", T0 + 2 * kHour);
  ASSERT_TRUE(acked) << acked.error().message;

  world.receive({gh("workflow_run", workflowRun(102, "success", T0 + 3 * kHour), "w4")});
  world.process();
  const auto resolved = world.list("incidents", [](auto& q) { q.state = "resolved"; });
  const json inc = only(resolved);
  EXPECT_EQ(inc["branch"], "main");
  EXPECT_EQ(inc["resolved_by_run"], "102/1");
  EXPECT_EQ(inc["resolved_at"], iso(T0 + 3 * kHour + 600));
  EXPECT_EQ(inc["acknowledged"]["by"], "bob");
  EXPECT_EQ(world.list("incidents", [](auto& q) { q.state = "open"; }).size(), 1u);  // feature still red
  EXPECT_EQ(world.list("runs").size(), 4u);
}

TEST(Scenario, GitLabMergeRequestAndPipelineMapToTheSameEntities) {
  ScenarioWorld world;
  json open = loadFixture("gitlab/merge_request.json");
  open["object_attributes"]["created_at"] = iso(T0);
  open["object_attributes"]["updated_at"] = iso(T0);
  json approved = open;
  approved["object_attributes"]["action"] = "approved";
  approved["object_attributes"]["updated_at"] = iso(T0 + kHour);
  approved["user"]["username"] = "user1";
  json merged = open;
  merged["object_attributes"]["action"] = "merge";
  merged["object_attributes"]["state"] = "merged";
  merged["object_attributes"]["updated_at"] = iso(T0 + 3 * kHour);
  json failed = loadFixture("gitlab/pipeline.json");
  failed["project"] = open["project"];  // the docs' two examples name project 1 differently; one project here
  failed["object_attributes"]["status"] = "failed";
  json passed = failed;
  passed["object_attributes"]["id"] = 32;
  passed["object_attributes"]["status"] = "success";
  passed["object_attributes"]["created_at"] = "2016-08-12 16:23:28 UTC";
  passed["object_attributes"]["finished_at"] = "2016-08-12 16:26:29 UTC";
  // Out of order on purpose: the merge arrives before the open.
  world.receive({{"gitlab", "Merge Request Hook", "g3", merged},
                 {"gitlab", "Merge Request Hook", "g1", open},
                 {"gitlab", "Merge Request Hook", "g2", approved},
                 {"gitlab", "Pipeline Hook", "g4", failed},
                 {"gitlab", "Pipeline Hook", "g5", passed}});
  EXPECT_EQ(world.process().processed, 5);
  const json pr = only(world.list("pulls"));
  EXPECT_EQ(pr["forge"], "gitlab");
  EXPECT_EQ(pr["repository"], "gitlabhq/gitlab-test");
  EXPECT_EQ(pr["state"], "merged");
  EXPECT_EQ(pr["author"], "root");
  EXPECT_EQ(pr["head"], "ms-viewport");
  EXPECT_EQ(pr["labels"], json({"API"}));
  EXPECT_DOUBLE_EQ(pr["cycle_time_hours"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(pr["review_time_hours"].get<double>(), 1.0);
  EXPECT_EQ(only(world.list("reviews"))["reviewer"], "user1");
  const auto runs = world.list("runs");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1]["conclusion"], "failure");
  EXPECT_EQ(runs[1]["started_at"], "2016-08-12T15:23:28Z");
  const json inc = only(world.list("incidents"));
  EXPECT_EQ(inc["repository"], "gitlabhq/gitlab-test");
  EXPECT_EQ(inc["state"], "resolved");
  EXPECT_EQ(inc["resolved_by_run"], "32/1");
}

// Every delivery of the scenarios above, as one stream.
std::vector<Delivery> everything() {
  return {gh("pull_request_review", review(T0 + 2 * kHour), "a1"),
          gh("pull_request", pullRequest("opened", T0), "a2"),
          gh("pull_request", pullRequest("synchronize", T0 + 3 * kHour), "a3"),
          gh("pull_request", mergedPullRequest(T0 + 5 * kHour), "a4"),
          gh("pull_request", pullRequest("opened", T0 + kHour, 8), "a5"),
          gh("pull_request_review", review(T0 + 4 * kHour, "other", 8, 5002), "a6"),
          gh("issues", issue("opened", T0, "open", {}), "b1"),
          gh("issues", issue("labeled", T0 + kHour, "open", {"bug", "roadmap"}), "b2"),
          gh("issues", issue("closed", T0 + 2 * kHour, "closed", {"bug", "roadmap"}, "completed"), "b3"),
          gh("issues", issue("reopened", T0 + 4 * kHour, "open", {"bug", "roadmap"}), "b4"),
          gh("issues", issue("unlabeled", T0 + 5 * kHour, "open", {"feature"}), "b5"),
          gh("workflow_run", workflowRun(100, "failure", T0), "c1"),
          gh("workflow_run", workflowRun(101, "failure", T0 + kHour), "c2"),
          gh("workflow_run", workflowRun(102, "success", T0 + 3 * kHour), "c3"),
          gh("workflow_run", workflowRun(103, "failure", T0 + 5 * kHour), "c4"),
          gh("push", onRepo(example("push")), "e1"),
          gh("release", onRepo(example("release", "published")), "e2")};
}

void linkItem(ScenarioWorld& world) {
  store::ItemInput in;
  in.title = "Sprint board";
  in.forge = "github";
  in.repository = baseRepository()["full_name"].get<std::string>();
  in.issueNumber = 42;
  ASSERT_TRUE(world.planning().createItem(in, T0));
}

TEST(Property, AnyInterleavingWithDuplicatesAndReplaysEndsInTheInOrderState) {
  ScenarioWorld inOrder;
  linkItem(inOrder);
  inOrder.receive(everything());
  inOrder.process();
  const json expected = inOrder.snapshot();
  ASSERT_EQ(expected["pulls"].size(), 2u);
  ASSERT_EQ(expected["incidents"].size(), 2u);

  int replays = 0;
  for (unsigned seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937 rng(seed);
    auto stream = everything();
    // Redeliveries: some deliveries arrive twice (same delivery id).
    const auto originals = stream.size();
    for (std::size_t i = 0; i < originals; ++i)
      if (rng() % 3 == 0) stream.push_back(stream[i]);
    std::shuffle(stream.begin(), stream.end(), rng);
    ScenarioWorld world;
    linkItem(world);
    std::set<std::string> received;  // distinct delivery ids: the store numbers them 1, 2, ... in arrival order
    for (std::size_t i = 0; i < stream.size();) {
      const auto end = std::min(stream.size(), i + 1 + rng() % 4);
      world.receive({stream.begin() + static_cast<long>(i), stream.begin() + static_cast<long>(end)});
      for (; i < end; ++i) received.insert(stream[i].deliveryId);
      if (rng() % 2) world.process();
      // A replay of a random received, possibly processed, delivery applies it again.
      if (rng() % 4 == 0) {
        store::DeliveryFilter f;
        f.id = 1 + static_cast<std::int64_t>(rng() % received.size());
        const auto requeued = world.queue().requeue(f, 0);
        ASSERT_TRUE(requeued);
        ASSERT_EQ(*requeued, 1) << "replayed id " << *f.id;
        ++replays;
      }
    }
    world.process();
    EXPECT_EQ(world.snapshot(), expected);
  }
  EXPECT_GE(replays, 25);  // the runs did replay (about one step in four)
}

TEST(Property, RebuildReproducesTheLiveState) {
  ScenarioWorld world;
  linkItem(world);
  auto stream = everything();
  std::shuffle(stream.begin(), stream.end(), std::mt19937(7));
  world.receive(stream);
  world.process();
  const json live = world.snapshot();
  auto queued = world.queue().rebuildProjections(0);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->queued, static_cast<std::int64_t>(stream.size()));
  EXPECT_TRUE(world.list("pulls").empty());
  EXPECT_EQ(world.list("items").size(), 1u);  // hand-made, kept
  world.process();
  EXPECT_EQ(world.snapshot(), live);
}

}  // namespace
}  // namespace forgehook::testing
