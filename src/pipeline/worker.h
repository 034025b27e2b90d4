#pragma once
// The pipeline thread: steps the Processor while deliveries are due, sleeps when none are, and
// wakes at once when intake commits new ones (wake()) or at the latest every poll interval (for
// retries coming due). Thread-safe: wake() and stop() may be called from any thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "pipeline/processor.h"

namespace forgehook::pipeline {

class Worker {
 public:
  Worker(Processor& processor, core::Logger& logger, std::chrono::milliseconds pollInterval);
  ~Worker();  // stop()s

  void start();
  void wake();
  // Finishes the step in progress, then ends the thread. Idempotent.
  void stop();

 private:
  void run();
  Processor& processor_;
  core::Logger& logger_;
  std::chrono::milliseconds pollInterval_;
  std::mutex mutex_;
  std::condition_variable wakeUp_;
  bool woken_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace forgehook::pipeline
