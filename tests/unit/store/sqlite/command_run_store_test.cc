#include "store/sqlite/command_run_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/scenario_world.h"

namespace forgehook::store::sqlite {
namespace {

using ::testing::ElementsAre;
using testing::example;
using ::testing::HasSubstr;
using testing::json;
using testing::ScenarioWorld;

// Two rules for every pull request; a third whose template cannot be filled for pull requests.
std::vector<NewCommandRun> twoRulesForPulls(const QueuedDelivery& d) {
  if (d.event != "pull_request") return {};
  return {{"deploy", {"/usr/bin/deploy", "--sha", "abc"}, {{"STAGE", "prod"}, {"A", "1"}}, "/srv", "stdin", 3, ""},
          {"notify", {"/bin/echo", "hi"}, {}, "", "none", 1, ""},
          {"broken", {"/bin/echo", "{{/nope}}"}, {}, "", "none", 1, "/nope is not in the payload"}};
}

class CommandRunStoreTest : public ::testing::Test {
 protected:
  CommandRunStoreTest() : world(twoRulesForPulls) {}

  std::int64_t receivePull(const std::string& id = "p1") {
    world.receive({{"github", "pull_request", id, example("pull_request", "opened")}});
    EXPECT_EQ(world.process().processed, 1);
    return world.list("commands").front()["delivery"].get<std::int64_t>();
  }
  std::vector<CommandRun> due(const std::vector<std::string>& busy = {}) {
    auto d = world.commandRuns().due(100, world.clock().nowMicros(), busy);
    EXPECT_TRUE(d.has_value()) << d.error().message;
    return d ? *d : std::vector<CommandRun>{};
  }
  CommandRun run(const std::string& rule) {
    for (const auto& row : world.list("commands"))
      if (row["rule"] == rule) return *world.commandRuns().get(row["id"].get<std::int64_t>());
    ADD_FAILURE() << "no run of " << rule;
    return {};
  }
  // The statuses the change feed recorded for `rule`'s run, oldest first.
  std::vector<std::string> feedStatuses(const std::string& rule) {
    ChangeQuery q;
    q.resources = {"commands"};
    q.limit = 1000;
    auto page = world.changes().read(q);
    EXPECT_TRUE(page.has_value());
    std::vector<std::string> out;
    for (const auto& c : page->changes) {
      const auto data = json::parse(c.dataJson);
      if (data["rule"] == rule) out.push_back(data["status"].get<std::string>());
    }
    return out;
  }

  ScenarioWorld world;
};

TEST_F(CommandRunStoreTest, ProcessingQueuesEachMatchedRuleOnceWithWhatWillRun) {
  const auto delivery = receivePull();
  const auto runs = due();
  ASSERT_EQ(runs.size(), 2u) << "the run whose template failed is recorded failed, never due";
  const auto& deploy = runs[0];
  EXPECT_EQ(deploy.rule, "deploy");
  EXPECT_EQ(deploy.delivery, delivery);
  EXPECT_EQ(deploy.deliveryGuid, "p1");
  EXPECT_EQ(deploy.event, "pull_request");
  EXPECT_EQ(deploy.action, "opened");
  EXPECT_EQ(deploy.status, "queued");
  EXPECT_EQ(deploy.attempt, 0);
  EXPECT_EQ(deploy.maxAttempts, 3);
  EXPECT_THAT(deploy.argv, ElementsAre("/usr/bin/deploy", "--sha", "abc"));
  EXPECT_EQ(deploy.env, (std::vector<std::pair<std::string, std::string>>{{"STAGE", "prod"}, {"A", "1"}}))
      << "the rule's order is kept";
  EXPECT_EQ(deploy.workdir, "/srv");
  EXPECT_EQ(deploy.payloadMode, "stdin");
  const auto broken = run("broken");
  EXPECT_EQ(broken.status, "failed");
  EXPECT_EQ(broken.error, "/nope is not in the payload");
  EXPECT_EQ(broken.attempt, 0) << "nothing ran";
  EXPECT_THAT(feedStatuses("deploy"), ElementsAre("queued"));
}

TEST_F(CommandRunStoreTest, AReplayOrARebuildNeverQueuesACommandAgain) {
  const auto delivery = receivePull();
  DeliveryFilter one;
  one.id = delivery;
  ASSERT_EQ(*world.queue().requeue(one, world.clock().nowMicros()), 1);
  EXPECT_EQ(world.process().processed, 1);
  ASSERT_TRUE(world.queue().rebuildProjections(world.clock().nowMicros()));
  EXPECT_EQ(world.process().processed, 1);
  EXPECT_EQ(world.list("commands").size(), 3u);
  EXPECT_EQ(due().size(), 2u);
  // A second delivery of the same event (another delivery id) is a delivery of its own: its commands run.
  receivePull("p2");
  EXPECT_EQ(world.list("commands").size(), 6u);
}

TEST_F(CommandRunStoreTest, StartClaimsOnceFinishRecordsAndRetriesWaitTheirTime) {
  receivePull();
  auto& runs = world.commandRuns();
  const auto id = run("deploy").id;
  ASSERT_TRUE(*runs.start(id, world.clock().nowMicros()));
  EXPECT_FALSE(*runs.start(id, world.clock().nowMicros())) << "claimed already";
  EXPECT_EQ(run("deploy").status, "running");
  EXPECT_EQ(run("deploy").attempt, 1);

  CommandOutcome failed{
      id, "failed", 2, std::nullopt, "exited with status 2", "boom\n", false, world.clock().nowMicros() + 10'000'000};
  ASSERT_TRUE(runs.finish(failed, world.clock().nowMicros()));
  auto retrying = run("deploy");
  EXPECT_EQ(retrying.status, "retrying");
  EXPECT_EQ(retrying.exitCode, 2);
  EXPECT_EQ(retrying.output, "boom\n");
  EXPECT_EQ(due().size(), 1u) << "only notify is due: the retry waits 10 s";
  world.clock().advanceSeconds(10);
  EXPECT_EQ(due().size(), 2u);
  ASSERT_TRUE(*runs.start(id, world.clock().nowMicros()));
  const auto second = run("deploy");
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(second.output, "") << "a new attempt starts with no output";
  EXPECT_FALSE(second.exitCode.has_value());
  CommandOutcome ok{id, "succeeded", 0, std::nullopt, "", std::string(10, 'x'), true, std::nullopt};
  ASSERT_TRUE(runs.finish(ok, world.clock().nowMicros()));
  const auto done = run("deploy");
  EXPECT_EQ(done.status, "succeeded");
  EXPECT_TRUE(done.outputTruncated);
  EXPECT_TRUE(done.endedAt.has_value());
  EXPECT_THAT(feedStatuses("deploy"), ElementsAre("queued", "running", "retrying", "running", "succeeded"));
  const auto row = world.list("commands", [](ResourceQuery& q) { q.state = "succeeded"; });
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0]["output_bytes"], 10);
  EXPECT_EQ(row[0]["output_truncated"], true);
  EXPECT_EQ(row[0]["exit_code"], 0);
  EXPECT_FALSE(runs.finish(ok, world.clock().nowMicros())) << "a run that is not running cannot end";
}

TEST_F(CommandRunStoreTest, ARunCutOffByACrashRunsOnceMoreThenIsGivenUp) {
  receivePull();
  auto& runs = world.commandRuns();
  const auto id = run("notify").id;
  ASSERT_TRUE(*runs.start(id, world.clock().nowMicros()));
  auto first = runs.recoverInterrupted(world.clock().nowMicros());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->requeued, 1);
  EXPECT_EQ(first->givenUp, 0);
  auto again = run("notify");
  EXPECT_EQ(again.status, "queued");
  EXPECT_EQ(again.crashReruns, 1);
  EXPECT_EQ(again.maxAttempts, 2) << "the re-run is allowed although the rule allows one attempt";
  EXPECT_THAT(again.error, HasSubstr("stopped during the run"));
  EXPECT_EQ(world.list("commands", [](ResourceQuery& q) { q.actor = "notify"; })[0]["rerun_after_crash"], true);

  ASSERT_TRUE(*runs.start(id, world.clock().nowMicros()));
  auto second = runs.recoverInterrupted(world.clock().nowMicros());
  EXPECT_EQ(second->requeued, 0);
  EXPECT_EQ(second->givenUp, 1);
  EXPECT_EQ(run("notify").status, "interrupted");
  for (const auto& r : due()) EXPECT_NE(r.rule, "notify");
  EXPECT_EQ(runs.recoverInterrupted(world.clock().nowMicros())->givenUp, 0) << "nothing left running";
}

TEST_F(CommandRunStoreTest, BusyRulesAreSkippedAndAReleasedRunIsDueAsIfNeverStarted) {
  receivePull();
  const auto runs = due({"deploy"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].rule, "notify");
  const auto id = run("deploy").id;
  ASSERT_TRUE(*world.commandRuns().start(id, world.clock().nowMicros()));
  ASSERT_TRUE(world.commandRuns().release(id, world.clock().nowMicros()));
  const auto released = run("deploy");
  EXPECT_EQ(released.status, "queued");
  EXPECT_EQ(released.attempt, 0);
  EXPECT_EQ(released.crashReruns, 0) << "a graceful stop is not a crash";
}

TEST_F(CommandRunStoreTest, RerunNeedsAFinishedRunAndGivesItTheRulesAttempts) {
  receivePull();
  auto& runs = world.commandRuns();
  const auto id = run("notify").id;
  auto early = runs.rerun(id, 2, world.clock().nowMicros());
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().reason, "command_not_finished");
  ASSERT_TRUE(*runs.start(id, world.clock().nowMicros()));
  ASSERT_TRUE(runs.finish({id, "failed", 1, std::nullopt, "exited with status 1", "", false, std::nullopt},
                          world.clock().nowMicros()));
  auto again = runs.rerun(id, 2, world.clock().nowMicros());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, "queued");
  EXPECT_EQ(again->maxAttempts, 3) << "one attempt made, two more allowed";
  EXPECT_FALSE(runs.rerun(9999, 1, world.clock().nowMicros()));
  EXPECT_EQ(runs.get(9999).error().code, core::Code::NotFound);
}

}  // namespace
}  // namespace forgehook::store::sqlite
