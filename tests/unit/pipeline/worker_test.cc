#include "pipeline/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>

#include <fcntl.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "support/fake_worker_clock.h"
#include "support/scenario_world.h"
#include "support/temp_dir.h"

namespace forgehook::pipeline {
namespace {

using namespace std::chrono_literals;
using testing::FakeWorkerClock;
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

// The value of one line of a rendered metric, e.g. "forgehook_processing_batch_size_count".
std::int64_t renderedValue(const core::Histogram& h, const std::string& line) {
  std::string text;
  h.render(text);
  const auto at = text.find(line + " ");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + line.size() + 1));
}

// Fake time each delivery takes to normalize: a step of n deliveries takes exactly n ms.
constexpr auto kPerDelivery = 1ms;

// A world, a worker clock the test moves, and a processor (up to 128 deliveries a step, so a step
// limited to the worker's busyBatchSize of 32 shows) whose normalizing advances that clock.
class WorkerTest : public ::testing::Test {
 protected:
  // Intake options used unless a test needs others: poll 500 ms, share 25 %, busy window 100 ms,
  // 32 deliveries a step while busy, intake commits of 8 or more mark it busy.
  static constexpr Worker::Options kOptions{500ms, 0.25, 100ms, 32, 8};

  void receivePings(int count) {
    std::vector<testing::Delivery> batch;
    for (int i = 0; i < count; ++i) {
      std::string id = std::to_string(i);  // not "d" + ...: GCC 12 -Wrestrict false positive
      batch.push_back({"github", "ping", id, testing::example("ping")});
    }
    world_.receive(batch);
  }

  ScenarioWorld world_;
  core::Metrics metrics_;
  FakeWorkerClock clock_;
  std::atomic<int> calls_ = 0;
  Processor processor_{world_.queue(),
                       world_.clock(),
                       metrics_,
                       {128, {3, 1'000'000, 60'000'000, [] { return 0.5; }}},
                       [this](const store::QueuedDelivery& d) {
                         ++calls_;
                         clock_.advance(kPerDelivery);
                         return core::Result<store::ProcessedDelivery>(testing::minimalRecords(d));
                       }};
  core::Logger logger_{core::LogLevel::Error};
};

// A queue whose store cannot commit for its first `failures` reads, then has nothing due.
class FullStoreQueue final : public store::ProcessingQueue {
 public:
  explicit FullStoreQueue(int failures) : failuresLeft_(failures) {}
  core::Result<std::vector<store::QueuedDelivery>> dueForProcessing(int, std::int64_t, std::int64_t) override {
    if (failuresLeft_-- > 0) return std::unexpected(core::Error::unavailable("store_full", "no room left", 30));
    return std::vector<store::QueuedDelivery>{};
  }
  core::Result<store::FinishedBatch> finishProcessing(std::span<const store::ProcessedDelivery>,
                                                      std::span<const store::FailedDelivery>, std::int64_t) override {
    return store::FinishedBatch{};
  }
  core::Result<std::int64_t> requeue(const store::DeliveryFilter&, std::int64_t) override { return 0; }
  core::Result<std::int64_t> pruneEventKeys(std::int64_t, int) override { return 0; }
  core::Result<store::RebuildOutcome> rebuildProjections(std::int64_t) override { return store::RebuildOutcome{}; }
  core::Result<std::int64_t> replayAll(std::int64_t) override { return 0; }

 private:
  std::atomic<int> failuresLeft_;
};

TEST_F(WorkerTest, AStoreThatStaysFullIsRetriedEverySecondLoggedOnceAMinuteAndOnceWhenItResumes) {
  FullStoreQueue queue(61);
  Processor processor(queue, world_.clock(), metrics_, {128, {3, 1'000'000, 60'000'000, [] { return 0.5; }}});
  const testing::TempDir dir;
  const std::string logPath = (dir.path() / "worker.log").string();
  const int fd = ::open(logPath.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  {
    core::Logger logger(core::LogLevel::Info, fd);
    Worker worker(processor, logger, kOptions, clock_);
    worker.start();
    for (std::size_t failed = 1; failed <= 61; ++failed) {
      const auto wait = clock_.awaitWait(failed);
      ASSERT_TRUE(wait) << "no retry wait after failure " << failed;
      EXPECT_EQ(wait->length(), 1s) << failed;  // neither spinning nor giving up
      clock_.advance(1s);
    }
    const auto idle = clock_.awaitWait(62);
    ASSERT_TRUE(idle);
    EXPECT_EQ(idle->length(), 500ms) << "back to polling once the store answers";
    worker.stop();
  }
  std::string text(64 * 1024, '\0');
  text.resize(static_cast<std::size_t>(pread(fd, text.data(), text.size(), 0)));
  close(fd);
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\"msg\":\"processing step failed\""), 2u) << text;  // the 1st and the 61st failure
  EXPECT_EQ(count("\"failed_steps\":61"), 2u) << text;                   // the 61st, and the resume line
  EXPECT_EQ(count("\"msg\":\"processing resumed\""), 1u) << text;
}

TEST_F(WorkerTest, OnlyLargeIntakeCommitsMarkIntakeBusyForTheBusyWindow) {
  Worker worker(processor_, logger_, kOptions, clock_);
  EXPECT_FALSE(worker.intakeBusy());
  for (int i = 0; i < 100; ++i) worker.intakeCommitted(7);  // a moderate load: groups below 8
  EXPECT_FALSE(worker.intakeBusy());
  worker.intakeCommitted(8);  // deliveries queue for the disk: intake is saturated
  EXPECT_TRUE(worker.intakeBusy());
  clock_.advance(100ms - 1ns);
  EXPECT_TRUE(worker.intakeBusy());
  clock_.advance(1ns);
  EXPECT_FALSE(worker.intakeBusy());
}

TEST_F(WorkerTest, WhileIntakeIsSaturatedItTakesSmallStepsPausesThriceEachAndStillProcessesEverything) {
  receivePings(300);
  Worker worker(processor_, logger_, kOptions, clock_);
  worker.intakeCommitted(8);
  worker.start();
  int processed = 0;
  std::size_t waits = 0;
  while (processed < 300) {
    const int step = std::min(32, 300 - processed);
    const auto pause = clock_.awaitWait(++waits);
    ASSERT_TRUE(pause) << "no pause after step " << waits;
    processed += step;
    // At most busyBatchSize deliveries a step, though the processor allows 128.
    ASSERT_EQ(calls_.load(), processed);
    // A step of `step` ms, then a pause three times as long: a quarter of one core.
    EXPECT_EQ(pause->length(), 3 * step * kPerDelivery);
    // Intake stays saturated; its commit (which wakes the worker) does not cut the pause short.
    worker.intakeCommitted(8);
    clock_.advance(pause->length() - 1ns);
    EXPECT_TRUE(clock_.waiting());
    EXPECT_EQ(clock_.waitsBegun(), waits);
    EXPECT_EQ(calls_.load(), processed);
    clock_.advance(1ns);
  }
  // Nothing left: it waits for work for the poll interval.
  const auto idle = clock_.awaitWait(++waits);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->length(), 500ms);
  worker.stop();
  EXPECT_EQ(processedCount(world_.deliveries()), 300);
  EXPECT_EQ(calls_.load(), 300);  // each delivery normalized once
}

TEST_F(WorkerTest, WhileIntakeIsNotSaturatedItRunsFlatOutInFullSteps) {
  receivePings(300);
  Worker worker(processor_, logger_, kOptions, clock_);
  worker.intakeCommitted(7);  // a moderate load
  worker.start();
  // The first wait is the idle one: no pause came between the steps.
  const auto idle = clock_.awaitWait(1);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->length(), 500ms);
  EXPECT_EQ(calls_.load(), 300);
  EXPECT_EQ(renderedValue(metrics_.processingBatchSize, "forgehook_processing_batch_size_count"), 3);  // 128+128+44
  worker.stop();
  EXPECT_EQ(processedCount(world_.deliveries()), 300);
}

TEST_F(WorkerTest, PacingEndsWhenTheBusyWindowHasPassed) {
  receivePings(300);
  Worker worker(processor_, logger_, kOptions, clock_);
  worker.intakeCommitted(8);
  worker.start();
  const auto pause = clock_.awaitWait(1);
  ASSERT_TRUE(pause);
  EXPECT_EQ(calls_.load(), 32);
  EXPECT_EQ(pause->length(), 96ms);
  // 128 ms after intake's last saturated commit, past the 100 ms window: the rest in full steps.
  clock_.advance(96ms);
  const auto idle = clock_.awaitWait(2);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->length(), 500ms);
  EXPECT_EQ(calls_.load(), 300);
  worker.stop();
}

TEST_F(WorkerTest, AnIdleWorkerLooksForDueDeliveriesEveryPollInterval) {
  Worker worker(processor_, logger_, kOptions, clock_);
  worker.start();
  const auto idle = clock_.awaitWait(1);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->length(), 500ms);
  receivePings(1);  // due without the worker being told, as a retry comes due
  clock_.advance(500ms - 1ns);
  EXPECT_TRUE(clock_.waiting());
  EXPECT_EQ(calls_.load(), 0);
  clock_.advance(1ns);
  ASSERT_TRUE(clock_.awaitWait(2));
  EXPECT_EQ(calls_.load(), 1);
  worker.stop();
}

TEST_F(WorkerTest, WakeEndsAnIdleWaitAtOnce) {
  Worker worker(processor_, logger_, kOptions, clock_);
  worker.start();
  const auto idle = clock_.awaitWait(1);
  ASSERT_TRUE(idle);
  receivePings(1);
  worker.wake();
  const auto next = clock_.awaitWait(2);
  ASSERT_TRUE(next);
  EXPECT_EQ(calls_.load(), 1);
  EXPECT_EQ(next->began, idle->began + kPerDelivery);  // no time passed but the step's own
  worker.stop();
}

TEST_F(WorkerTest, StopEndsAPauseAtOnce) {
  receivePings(1);
  // A tiny share turns a 1 ms step into a pause of minutes; stop() must not wait for it.
  Worker worker(processor_, logger_, {500ms, 0.000001, 10min}, clock_);
  worker.intakeCommitted(100);
  worker.start();
  const auto pause = clock_.awaitWait(1);
  ASSERT_TRUE(pause);
  EXPECT_GT(pause->length(), 10min);
  auto stopped = std::async(std::launch::async, [&] { worker.stop(); });
  ASSERT_EQ(stopped.wait_for(FakeWorkerClock::kRealTimeout), std::future_status::ready)
      << "stop() waited for the pause";
  EXPECT_FALSE(clock_.waiting());
  EXPECT_EQ(processedCount(world_.deliveries()), 1);
}

// The niceness of this process's thread named `name` (field 19 of its stat), or -100 when none is.
int nicenessOfThread(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    std::getline(comm, line);
    if (line != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
    }
    return std::stoi(field);
  }
  return -100;
}

TEST_F(WorkerTest, ItsThreadRunsAtTheNicenessItIsGivenAboveTheProcesss) {
  auto options = kOptions;
  options.nice = 7;
  Worker worker(processor_, logger_, options, clock_);
  worker.start();
  ASSERT_TRUE(clock_.awaitWait(1));  // running: named and reniced
  EXPECT_EQ(nicenessOfThread("fh-pipeline"), getpriority(PRIO_PROCESS, 0) + 7);
  worker.stop();
}

}  // namespace
}  // namespace forgehook::pipeline
