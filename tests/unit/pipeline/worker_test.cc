#include "pipeline/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/scenario_world.h"

namespace forgehook::pipeline {
namespace {

using namespace std::chrono_literals;
using testing::ScenarioWorld;

TEST(WorkerPause, KeepsTheThreadToItsShareOfOneCore) {
  EXPECT_EQ(Worker::pauseAfter(10ms, 0.25), 30ms);  // busy 10 of every 40 ms
  EXPECT_EQ(Worker::pauseAfter(10ms, 0.5), 10ms);
  EXPECT_EQ(Worker::pauseAfter(10ms, 1.0), 0us);    // 1: never pauses
  EXPECT_EQ(Worker::pauseAfter(0us, 0.25), 0us);
  EXPECT_EQ(Worker::pauseAfter(-5us, 0.25), 0us);
}

std::int64_t processedCount(store::Store& s) {
  store::DeliveryFilter f;
  f.status = "processed";
  f.limit = 500;
  return static_cast<std::int64_t>(s.listDeliveries(f)->deliveries.size());
}

// A world, and a processor whose deliveries each take ~50 µs to normalize, so that a step takes
// measurable time and the worker pauses after it.
class WorkerTest : public ::testing::Test {
 protected:
  ScenarioWorld world_;
  core::Metrics metrics_;
  std::atomic<int> calls_ = 0;
  Processor processor_{world_.store(), world_.clock(), metrics_, {16, {3, 1'000'000, 60'000'000, [] { return 0.5; }}},
                       [this](const store::QueuedDelivery& d) {
                         ++calls_;
                         std::this_thread::sleep_for(50us);
                         return core::Result<store::ProcessedDelivery>(testing::minimalRecords(d));
                       }};
  core::Logger logger_{core::LogLevel::Error};
};

TEST_F(WorkerTest, WhileIntakeKeepsCommittingItPausesButStillProcessesEverything) {
  std::vector<testing::Delivery> batch;
  for (int i = 0; i < 300; ++i) {
    std::string id = std::to_string(i);  // not "d" + ...: GCC 12 -Wrestrict false positive
    batch.push_back({"github", "ping", id, testing::example("ping")});
  }
  world_.receive(batch);
  Worker worker(processor_, logger_, {500ms, 0.25, 100ms});
  worker.start();
  // Intake "commits" every millisecond for as long as the test runs: the worker is throttled the
  // whole time and must not starve.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (processedCount(world_.store()) < 300 && std::chrono::steady_clock::now() < deadline) {
    worker.intakeCommitted(8);
    std::this_thread::sleep_for(1ms);
  }
  worker.stop();
  EXPECT_EQ(processedCount(world_.store()), 300);
  EXPECT_EQ(calls_.load(), 300);  // each delivery normalized once
}

TEST_F(WorkerTest, OnlyLargeIntakeCommitsMarkIntakeBusy) {
  Worker worker(processor_, logger_, {500ms, 0.25, 10min, 32, 8});
  EXPECT_FALSE(worker.intakeBusy());
  for (int i = 0; i < 100; ++i) worker.intakeCommitted(7);  // a moderate load: groups below 8
  EXPECT_FALSE(worker.intakeBusy());
  worker.intakeCommitted(8);  // deliveries queue for the disk: intake is saturated
  EXPECT_TRUE(worker.intakeBusy());
}

TEST_F(WorkerTest, StopEndsAPauseAtOnce) {
  world_.receive({{"github", "ping", "only", testing::example("ping")}});
  // A tiny share turns a 50 µs step into a pause of minutes; stop() must not wait for it.
  Worker worker(processor_, logger_, {500ms, 0.000001, 10min});
  worker.intakeCommitted(100);
  worker.start();
  while (calls_.load() == 0) std::this_thread::sleep_for(1ms);
  const auto before = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

}  // namespace
}  // namespace forgehook::pipeline
