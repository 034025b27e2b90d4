#include "pipeline/command_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/log.h"
#include "pipeline/command_matcher.h"
#include "rules/rule_set.h"
#include "support/scenario_world.h"

namespace forgehook::pipeline {
namespace {

using testing::example;
using testing::ScenarioWorld;

core::RuleConfig rule(std::string name, std::vector<std::string> argv) {
  core::RuleConfig r;
  r.name = std::move(name);
  r.events = {"pull_request"};
  r.command = std::move(argv);
  r.payload = "none";
  return r;
}

// Real processes run by a scheduler over the real SQLite store; the store's clock is fake, so a
// retry becomes due when the test says so.
class CommandSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {}
  void configure(std::vector<core::RuleConfig> configs, std::chrono::milliseconds stopWait = std::chrono::seconds(10)) {
    rules_ = *rules::RuleSet::compile(configs);
    world_ = std::make_unique<ScenarioWorld>(makeCommandMatcher(rules_));
    scheduler_ = std::make_unique<CommandScheduler>(
        world_->commandRuns(), world_->deliveries(), rules_, world_->clock(), logger_,
        CommandScheduler::Options{4, std::chrono::milliseconds(200), std::chrono::milliseconds(10), stopWait,
                                  dir_.path().string(), dir_.path().string()});
  }
  void receivePull() {
    world_->receive({{"github", "pull_request", "p" + std::to_string(++sent_), example("pull_request", "opened")}});
    ASSERT_EQ(world_->process().processed, 1);
  }
  // The run of `rule` once `done` holds for it (deadline 10 s).
  store::CommandRun waitFor(const std::string& rule, const std::function<bool(const store::CommandRun&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      for (const auto& row : world_->list("commands", [&](store::ResourceQuery& q) { q.actor = rule; })) {
        auto run = world_->commandRuns().get(row["id"].get<std::int64_t>());
        if (run && done(*run)) return *run;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "timed out waiting for " << rule;
        return {};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  static bool finished(const store::CommandRun& r) { return r.status == "succeeded" || r.status == "failed"; }

  testing::TempDir dir_;
  core::Logger logger_{core::LogLevel::Error};
  rules::RuleSet rules_;
  std::unique_ptr<ScenarioWorld> world_;
  std::unique_ptr<CommandScheduler> scheduler_;
  int sent_ = 0;
};

TEST_F(CommandSchedulerTest, RunsAQueuedCommandAndRecordsItsOutputAndExit) {
  configure({rule("echo", {"/bin/echo", "{{/action}}", "{{/pull_request/number}}"})});
  receivePull();
  scheduler_->start();
  const auto run = waitFor("echo", finished);
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.exitCode, 0);
  EXPECT_EQ(run.attempt, 1);
  EXPECT_EQ(run.output,
            "opened " + std::to_string(example("pull_request", "opened")["pull_request"]["number"].get<int>()) + "\n");
  scheduler_->stop();
}

TEST_F(CommandSchedulerTest, AFailedAttemptIsRetriedOnlyWhenItsTimeComes) {
  auto flaky = rule("flaky", {"/bin/sh", "-c", "echo try $FORGEHOOK_ATTEMPT; exit 4"});
  flaky.maxAttempts = 2;
  flaky.retryDelayS = 30;
  configure({flaky});
  receivePull();
  scheduler_->start();
  const auto first = waitFor("flaky", [](const store::CommandRun& r) { return r.status == "retrying"; });
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(first.exitCode, 4);
  EXPECT_EQ(first.nextAttemptAt, world_->clock().nowMicros() + 30'000'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(world_->commandRuns().get(first.id)->status, "retrying") << "not before its time";
  world_->clock().advanceSeconds(30);
  scheduler_->notify();
  const auto last = waitFor("flaky", finished);
  EXPECT_EQ(last.status, "failed");
  EXPECT_EQ(last.attempt, 2);
  EXPECT_EQ(last.output, "try 2\n");
  EXPECT_EQ(last.error, "exited with status 4");
  scheduler_->stop();
}

TEST_F(CommandSchedulerTest, StopKillsACommandThatOutlastsTheWaitAndPutsItsRunBack) {
  const auto started = dir_.path() / "started";
  configure({rule("sleeper", {"/bin/sh", "-c", "touch " + started.string() + "; exec sleep 30"})},
            std::chrono::milliseconds(100));
  receivePull();
  scheduler_->start();
  waitFor("sleeper", [&](const store::CommandRun&) { return std::filesystem::exists(started); });
  const auto before = std::chrono::steady_clock::now();
  scheduler_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5)) << "the sleep was killed";
  const auto run = waitFor("sleeper", [](const store::CommandRun&) { return true; });
  EXPECT_EQ(run.status, "queued") << "runs again after the restart";
  EXPECT_EQ(run.attempt, 0);
  EXPECT_EQ(run.crashReruns, 0) << "a graceful stop is not a crash";
}

TEST_F(CommandSchedulerTest, ARunWhoseRuleWasRemovedFailsSayingSoWithoutRetries) {
  auto gone = rule("gone", {"/bin/true"});
  gone.maxAttempts = 3;  // retrying would not bring the rule back
  configure({gone});
  receivePull();
  const rules::RuleSet none;
  CommandScheduler other(world_->commandRuns(), world_->deliveries(), none, world_->clock(), logger_,
                         {1, std::chrono::milliseconds(200), std::chrono::milliseconds(10), std::chrono::seconds(1),
                          dir_.path().string(), dir_.path().string()});
  other.start();
  const auto run = waitFor("gone", finished);
  EXPECT_EQ(run.status, "failed");
  EXPECT_EQ(run.error, "rule gone is no longer in the configuration");
  EXPECT_EQ(run.attempt, 1);
  other.stop();
}

}  // namespace
}  // namespace forgehook::pipeline
