// What the writers record in the change feed (store/sqlite/change_recorder.h), driven through the
// real processor and model on GitHub's payload examples: one change per row that a committed write
// created, changed or deleted, each carrying the row as the list API returns it.
#include "store/sqlite/change_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/changes.h"
#include "support/scenario_payloads.h"
#include "support/scenario_world.h"

namespace forgehook::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr std::int64_t T0 = kScenarioT0;
constexpr std::int64_t kHour = 3600;

class ChangeRecorderTest : public ::testing::Test {
 protected:
  // Receives and processes `deliveries`; returns the changes they recorded.
  std::vector<store::Change> deliver(const std::vector<Delivery>& deliveries) {
    const auto before = newest();
    world_.receive(deliveries);
    world_.clock().advanceSeconds(1);
    world_.process();
    return changesAfter(world_.changes(), before);
  }
  std::int64_t newest() { return world_.changes().newestSeq().value_or(-1); }
  // The changes of `resource` among `changes`.
  static std::vector<store::Change> of(const std::vector<store::Change>& changes, const std::string& resource) {
    std::vector<store::Change> out;
    for (const auto& c : changes)
      if (c.resource == resource) out.push_back(c);
    return out;
  }
  // The one row the list API returns for `resource`.
  json onlyRow(const std::string& resource) {
    const auto rows = world_.list(resource);
    EXPECT_EQ(rows.size(), 1u) << resource;
    return rows.empty() ? json() : rows.front();
  }

  ScenarioWorld world_;
};

TEST_F(ChangeRecorderTest, OpenedPullRequestRecordsItsDeliveryAndEveryRowItCreatedInOneCommit) {
  world_.receive({gh("pull_request", pullRequest("opened", T0), "d1")});
  const auto intake = changesAfter(world_.changes());
  ASSERT_THAT(kinds(intake), ElementsAre("deliveries created"));
  EXPECT_EQ(json::parse(intake[0].dataJson)["status"], "queued");
  world_.clock().advanceSeconds(1);
  world_.process();

  const auto all = changesAfter(world_.changes());
  expectConsecutive(all, 1);
  const std::vector<store::Change> processing(all.begin() + 1, all.end());
  EXPECT_THAT(kinds(processing),
              UnorderedElementsAre("deliveries updated", "pulls created", "activity created", "repositories created"));
  const std::string repository = example("pull_request", "opened")["repository"]["full_name"];
  for (const auto& c : processing) {
    SCOPED_TRACE(c.resource);
    EXPECT_EQ(c.atMicros, world_.clock().nowMicros());  // one finishProcessing: one commit
    EXPECT_EQ(c.forge, "github");
    EXPECT_EQ(c.repository, repository);
    if (c.resource == "deliveries") {
      EXPECT_EQ(c.id, intake[0].id);
      EXPECT_EQ(json::parse(c.dataJson)["status"], "processed");
    } else {
      EXPECT_EQ(json::parse(c.dataJson), onlyRow(c.resource));
    }
  }
}

TEST_F(ChangeRecorderTest, ReplayRecordsTheDeliveryStatusButNoUnchangedRow) {
  deliver({gh("pull_request", pullRequest("opened", T0), "d1")});
  const auto before = newest();
  store::DeliveryFilter all;
  ASSERT_EQ(world_.queue().requeue(all, world_.clock().nowMicros()).value_or(-1), 1);
  world_.process();
  const auto replay = changesAfter(world_.changes(), before);
  ASSERT_THAT(kinds(replay), ElementsAre("deliveries updated", "deliveries updated"));
  EXPECT_EQ(json::parse(replay[0].dataJson)["status"], "queued");
  EXPECT_EQ(json::parse(replay[1].dataJson)["status"], "processed");
}

TEST_F(ChangeRecorderTest, NewerPullVersionRecordsOneUpdateWithTheNewState) {
  deliver({gh("pull_request", pullRequest("opened", T0), "d1")});
  const auto closed = deliver({gh("pull_request", closedPullRequest(T0 + kHour), "d2")});
  EXPECT_THAT(of(closed, "repositories"), IsEmpty());  // the same repository again: nothing changed
  const auto pulls = of(closed, "pulls");
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0].action, "updated");
  EXPECT_EQ(json::parse(pulls[0].dataJson)["state"], "closed");
  EXPECT_EQ(json::parse(pulls[0].dataJson), onlyRow("pulls"));

  // An older version arriving late changes nothing, so records nothing but its delivery.
  const auto late = deliver({gh("pull_request", pullRequest("edited", T0 + 60), "d3")});
  EXPECT_THAT(of(late, "pulls"), IsEmpty());
}

TEST_F(ChangeRecorderTest, ReviewCreatesTheReviewAndUpdatesItsPullsReviewTime) {
  const auto opened = deliver({gh("pull_request", pullRequest("opened", T0), "d1")});
  EXPECT_TRUE(json::parse(of(opened, "pulls").at(0).dataJson)["review_time_hours"].is_null());
  const auto reviewed = deliver({gh("pull_request_review", review(T0 + 2 * kHour), "d2")});
  const auto reviews = of(reviewed, "reviews");
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].action, "created");
  EXPECT_EQ(json::parse(reviews[0].dataJson), onlyRow("reviews"));
  const auto pulls = of(reviewed, "pulls");
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0].action, "updated");
  EXPECT_DOUBLE_EQ(json::parse(pulls[0].dataJson)["review_time_hours"].get<double>(), 2.0);
  EXPECT_EQ(json::parse(pulls[0].dataJson), onlyRow("pulls"));
}

TEST_F(ChangeRecorderTest, ClosingTheLinkedIssueUpdatesThePlannedItem) {
  store::ItemInput in;
  in.title = "Sprint board";
  in.repository = example("pull_request", "opened")["repository"]["full_name"];
  in.issueNumber = 42;
  ASSERT_TRUE(world_.planning().createItem(in, T0));
  deliver({gh("issues", issue("opened", T0, "open", {}), "i1")});
  const auto closed = deliver({gh("issues", issue("closed", T0 + kHour, "closed", {}, "completed"), "i2")});
  const auto items = of(closed, "items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].action, "updated");
  EXPECT_EQ(json::parse(items[0].dataJson)["status"], "completed");
  EXPECT_EQ(json::parse(items[0].dataJson), onlyRow("items"));
}

// The item is linked by repository name, and its repository row arrives with the issue's first
// delivery: the item existed before that delivery, so it is "updated", never "created" a second time.
TEST_F(ChangeRecorderTest, ItemLinkedBeforeItsRepositoryWasSeenIsUpdatedByTheIssueNotCreatedAgain) {
  store::ItemInput in;
  in.title = "Sprint board";
  in.repository = example("pull_request", "opened")["repository"]["full_name"];
  in.issueNumber = 42;
  ASSERT_TRUE(world_.planning().createItem(in, T0));
  const auto opened = deliver({gh("issues", issue("opened", T0, "open", {}), "i1")});
  const auto items = of(opened, "items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].action, "updated");
  EXPECT_EQ(json::parse(items[0].dataJson)["issue"]["state"], "open");
  EXPECT_EQ(json::parse(items[0].dataJson), onlyRow("items"));
  EXPECT_THAT(kinds(of(changesAfter(world_.changes()), "items")), ElementsAre("items created", "items updated"));
}

TEST_F(ChangeRecorderTest, PlannedItemCreateUpdateAndDeleteAreRecordedWithTheirRows) {
  store::ItemInput in;
  in.title = "Write the feed tests";
  const auto created = world_.planning().createItem(in, T0);
  ASSERT_TRUE(created) << created.error().message;
  const auto id = json::parse(*created)["id"].get<std::int64_t>();
  store::ItemInput edit;
  edit.status = "blocked";
  const auto updated = world_.planning().updateItem(id, edit, T0 + 60);
  ASSERT_TRUE(updated) << updated.error().message;
  ASSERT_TRUE(world_.planning().deleteItem(id, T0 + 120));

  const auto all = changesAfter(world_.changes());
  ASSERT_THAT(kinds(all), ElementsAre("items created", "items updated", "items deleted"));
  expectConsecutive(all, 1);
  for (const auto& c : all) EXPECT_EQ(c.id, std::to_string(id));
  EXPECT_EQ(json::parse(all[0].dataJson), json::parse(*created));
  EXPECT_EQ(json::parse(all[1].dataJson), json::parse(*updated));
  EXPECT_EQ(json::parse(all[2].dataJson), json::parse(*updated));  // the row as it was
  EXPECT_EQ(all[1].atMicros, (T0 + 60) * 1'000'000);
}

TEST_F(ChangeRecorderTest, FailedRunCreatesAnIncidentAndItsAcknowledgementUpdatesIt) {
  const auto failed = deliver({gh("workflow_run", workflowRun(100, "failure", T0), "w1")});
  const auto incidents = of(failed, "incidents");
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].action, "created");
  EXPECT_EQ(json::parse(incidents[0].dataJson), onlyRow("incidents"));
  EXPECT_THAT(kinds(of(failed, "runs")), ElementsAre("runs created"));

  const auto before = newest();
  const auto id = onlyRow("incidents")["id"].get<std::int64_t>();
  ASSERT_TRUE(world_.planning().acknowledgeIncident(id, "bob", "looking", T0 + kHour));
  const auto acked = changesAfter(world_.changes(), before);
  ASSERT_THAT(kinds(acked), ElementsAre("incidents updated"));
  EXPECT_EQ(acked[0].id, std::to_string(id));
  EXPECT_EQ(json::parse(acked[0].dataJson)["acknowledged"]["by"], "bob");
  EXPECT_EQ(json::parse(acked[0].dataJson), onlyRow("incidents"));
}

TEST_F(ChangeRecorderTest, ARedeliveryRecordsNoSecondCreatedDelivery) {
  world_.receive({gh("pull_request", pullRequest("opened", T0), "d1")});
  world_.receive({gh("pull_request", pullRequest("opened", T0), "d1")});
  EXPECT_THAT(kinds(changesAfter(world_.changes())), ElementsAre("deliveries created"));
}

}  // namespace
}  // namespace forgehook::testing
