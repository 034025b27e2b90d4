#include "pipeline/worker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/thread_name.h"

namespace forgehook::pipeline {

using TimePoint = WorkerClock::TimePoint;

Worker::Worker(Processor& processor, core::Logger& logger, Options options)
    : Worker(processor, logger, options, std::make_unique<SteadyWorkerClock>()) {}

Worker::Worker(Processor& processor, core::Logger& logger, Options options, WorkerClock& clock)
    : processor_(processor), logger_(logger), options_(options), clock_(clock) {}

Worker::Worker(Processor& processor, core::Logger& logger, Options options, std::unique_ptr<WorkerClock> ownedClock)
    : processor_(processor),
      logger_(logger),
      options_(options),
      ownedClock_(std::move(ownedClock)),
      clock_(*ownedClock_) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  thread_ = std::thread([this] {
    core::nameThisThread("fh-pipeline");
    // Linux applies a niceness per thread: this one only. Failure (a seccomp'd container) is harmless.
    if (options_.nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), getpriority(PRIO_PROCESS, 0) + options_.nice);
    run();
  });
}

void Worker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeUp_.notify_one();
}

void Worker::intakeCommitted(std::size_t largestGroup) {
  if (largestGroup > 0) lastIntakeAny_.store(clock_.now().time_since_epoch().count(), std::memory_order_relaxed);
  if (largestGroup >= options_.saturatedBatch)
    lastIntakeCommit_.store(clock_.now().time_since_epoch().count(), std::memory_order_relaxed);
  wake();
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeUp_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::chrono::microseconds Worker::pauseAfter(std::chrono::microseconds spent, double share) {
  if (share >= 1.0 || share <= 0.0 || spent.count() <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(
      static_cast<std::int64_t>(static_cast<double>(spent.count()) * (1.0 - share) / share));
}

bool Worker::intakeBusy() const {
  const auto last = lastIntakeCommit_.load(std::memory_order_relaxed);
  return last != 0 && clock_.now() - TimePoint(TimePoint::duration(last)) < options_.busyWindow;
}

void Worker::run() {
  // Consecutive failed steps: a store that stays full for an hour logs once a minute, not 3600 times.
  std::int64_t failedSteps = 0;
  constexpr std::int64_t kLogEveryFailedSteps = 60;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    const auto began = clock_.now();
    const bool busy = intakeBusy();
    // While intake is busy, small steps: the store's one writer is held for a short transaction,
    // so intake's commits wait less, and the pause after a step stays short.
    const auto lastAny = lastIntakeAny_.load(std::memory_order_relaxed);
    const bool intakeActive = lastAny != 0 && began - TimePoint(TimePoint::duration(lastAny)) < std::chrono::seconds(1);
    auto step = processor_.step(busy ? options_.busyBatchSize : 0, /*mayPrefetch=*/!intakeActive);
    if (step && failedSteps > 0) {
      logger_.info("processing resumed", {{"failed_steps", failedSteps}});
      failedSteps = 0;
    }
    std::unique_lock lock(mutex_);
    if (!step) {
      // The store cannot read or commit: nothing was applied. Try again in a second, however many
      // deliveries intake commits meanwhile (each would otherwise retry at once).
      if (failedSteps++ % kLogEveryFailedSteps == 0)
        logger_.error("processing step failed", {{"error", step.error().message}, {"failed_steps", failedSteps}});
      clock_.waitUntil(lock, wakeUp_, clock_.now() + std::chrono::seconds(1), [&] { return stopping_; });
    } else if (step->total() == 0) {
      clock_.waitUntil(lock, wakeUp_, clock_.now() + options_.pollInterval, [&] { return woken_ || stopping_; });
    } else if (busy || intakeBusy()) {
      const auto pause = pauseAfter(std::chrono::duration_cast<std::chrono::microseconds>(clock_.now() - began),
                                    options_.shareWhileIngesting);
      // New deliveries do not cut the pause short.
      clock_.waitUntil(lock, wakeUp_, clock_.now() + pause, [&] { return stopping_; });
    }  // else more may be due: step again at once
  }
}

}  // namespace forgehook::pipeline
