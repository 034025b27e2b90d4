#include "pipeline/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "support/scenario_world.h"

namespace forgehook::pipeline {
namespace {

using namespace std::chrono_literals;
using testing::ScenarioWorld;

TEST(WorkerPause, KeepsTheThreadToItsShareOfOneCore) {
  EXPECT_EQ(Worker::pauseAfter(10ms, 0.25), 30ms);  // busy 10 of every 40 ms
  EXPECT_EQ(Worker::pauseAfter(10ms, 0.5), 10ms);
  EXPECT_EQ(Worker::pauseAfter(10ms, 1.0), 0us);  // 1: never pauses
  EXPECT_EQ(Worker::pauseAfter(0us, 0.25), 0us);
  EXPECT_EQ(Worker::pauseAfter(-5us, 0.25), 0us);
}

std::int64_t processedCount(store::DeliveryLog& s) {
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
  // Up to 128 deliveries a step, so a step limited to the worker's busyBatchSize (32) shows.
  Processor processor_{world_.queue(),
                       world_.clock(),
                       metrics_,
                       {128, {3, 1'000'000, 60'000'000, [] { return 0.5; }}},
                       [this](const store::QueuedDelivery& d) {
                         ++calls_;
                         std::this_thread::sleep_for(50us);
                         return core::Result<store::ProcessedDelivery>(testing::minimalRecords(d));
                       }};
  core::Logger logger_{core::LogLevel::Error};
};

// The value of one line of a rendered metric, e.g. "forgehook_processing_batch_size_count".
std::int64_t renderedValue(const core::Histogram& h, const std::string& line) {
  std::string text;
  h.render(text);
  const auto at = text.find(line + " ");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + line.size() + 1));
}

TEST_F(WorkerTest, WhileIntakeIsSaturatedItTakesSmallStepsAndStillProcessesEverything) {
  std::vector<testing::Delivery> batch;
  for (int i = 0; i < 300; ++i) {
    std::string id = std::to_string(i);  // not "d" + ...: GCC 12 -Wrestrict false positive
    batch.push_back({"github", "ping", id, testing::example("ping")});
  }
  world_.receive(batch);
  Worker worker(processor_, logger_, {500ms, 0.25, 100ms, 32, 8});
  worker.intakeCommitted(8);
  ASSERT_TRUE(worker.intakeBusy());
  worker.start();
  // Intake commits groups of 8 every millisecond for as long as the test runs: the worker is paced
  // the whole time and must not starve.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (processedCount(world_.deliveries()) < 300 && std::chrono::steady_clock::now() < deadline) {
    worker.intakeCommitted(8);
    ASSERT_TRUE(worker.intakeBusy());
    std::this_thread::sleep_for(1ms);
  }
  worker.stop();
  EXPECT_EQ(processedCount(world_.deliveries()), 300);
  EXPECT_EQ(calls_.load(), 300);  // each delivery normalized once
  // Every step took at most busyBatchSize (32) deliveries, though the processor allows 128.
  const auto& sizes = metrics_.processingBatchSize;
  const auto steps = renderedValue(sizes, "forgehook_processing_batch_size_count");
  EXPECT_GE(steps, 300 / 32);
  EXPECT_EQ(renderedValue(sizes, "forgehook_processing_batch_size_bucket{le=\"32\"}"), steps);
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
  // The step is committed (so the pause has begun or is about to) once the delivery is processed.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (processedCount(world_.deliveries()) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(processedCount(world_.deliveries()), 1);
  std::this_thread::sleep_for(50ms);  // well into the pause
  auto stopped = std::async(std::launch::async, [&] { worker.stop(); });
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready) << "stop() waited for the pause";
}

}  // namespace
}  // namespace forgehook::pipeline
