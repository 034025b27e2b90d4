#include "pipeline/worker.h"

#include <algorithm>

namespace forgehook::pipeline {

using Clock = std::chrono::steady_clock;

Worker::Worker(Processor& processor, core::Logger& logger, Options options)
    : processor_(processor), logger_(logger), options_(options) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeUp_.notify_one();
}

void Worker::intakeCommitted(std::size_t deliveries) {
  if (deliveries >= options_.saturatedBatch)
    lastIntakeCommit_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
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
  return last != 0 && Clock::now() - Clock::time_point(Clock::duration(last)) < options_.busyWindow;
}

void Worker::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    const auto began = Clock::now();
    const bool busy = intakeBusy();
    // While intake is busy, small steps: the store's one writer is held for a short transaction,
    // so intake's commits wait less, and the pause after a step stays short.
    auto step = processor_.step(busy ? options_.busyBatchSize : 0);
    std::unique_lock lock(mutex_);
    if (!step) {
      // The store cannot read or commit: nothing was applied. Try again in a second, however many
      // deliveries intake commits meanwhile (each would otherwise retry at once).
      logger_.error("processing step failed", {{"error", step.error().message}});
      wakeUp_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    } else if (step->total() == 0) {
      wakeUp_.wait_for(lock, options_.pollInterval, [&] { return woken_ || stopping_; });
    } else if (busy || intakeBusy()) {
      const auto pause = pauseAfter(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began),
                                    options_.shareWhileIngesting);
      wakeUp_.wait_for(lock, pause, [&] { return stopping_; });  // new deliveries do not cut the pause short
    }                                                            // else more may be due: step again at once
  }
}

}  // namespace forgehook::pipeline
