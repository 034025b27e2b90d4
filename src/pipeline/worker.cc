#include "pipeline/worker.h"

namespace forgehook::pipeline {

Worker::Worker(Processor& processor, core::Logger& logger, std::chrono::milliseconds pollInterval)
    : processor_(processor), logger_(logger), pollInterval_(pollInterval) {}

Worker::~Worker() { stop(); }

void Worker::start() { thread_ = std::thread([this] { run(); }); }

void Worker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeUp_.notify_one();
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeUp_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    auto step = processor_.step();
    if (!step) {
      // The store cannot read or commit: nothing was applied. Try again after a pause.
      logger_.error("processing step failed", {{"error", step.error().message}});
    } else if (step->total() > 0) {
      continue;  // more may be due
    }
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, step ? pollInterval_ : std::chrono::milliseconds(1000),
                     [&] { return woken_ || stopping_; });
  }
}

}  // namespace forgehook::pipeline
