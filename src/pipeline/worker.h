#pragma once
// The pipeline thread: steps the Processor while deliveries are due, sleeps when none are, and
// wakes at once when intake commits new ones or at the latest every poll interval (for retries
// coming due). Thread-safe: every public member may be called from any thread.
//
// Intake comes first. While intake is saturated (within the last busy window it committed a group
// of at least `saturatedBatch` deliveries: requests are queueing for the disk) the thread limits
// itself to a share of one core: after a step that took t it pauses t * (1 - share) / share. A forge
// waits for intake's 2xx; nobody waits on a projection that is 10 ms older. Otherwise the pipeline
// runs flat out, so a backlog drains at full speed and a moderate load is processed at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "pipeline/processor.h"
#include "pipeline/worker_clock.h"
#include "store/queue_listener.h"

namespace forgehook::pipeline {

class Worker final : public store::QueueListener {
 public:
  struct Options {
    std::chrono::milliseconds pollInterval{500};
    double shareWhileIngesting = 0.25;  // (0, 1]; 1 never pauses
    std::chrono::milliseconds busyWindow{25};
    int busyBatchSize = 32;           // deliveries per step while intake is busy
    std::size_t saturatedBatch = 12;  // an intake commit this large marks intake busy
    // Niceness added to the pipeline thread (0-19): when the CPU is contended the kernel runs
    // intake's threads first, while an idle CPU still gives the pipeline all it wants.
    int nice = 0;
  };
  // Paces itself on a SteadyWorkerClock of its own.
  Worker(Processor& processor, core::Logger& logger, Options options);
  // Paces itself on `clock`, which must outlive the Worker.
  Worker(Processor& processor, core::Logger& logger, Options options, WorkerClock& clock);
  ~Worker() override;  // stop()s

  void start();
  // Deliveries were queued (replay, rebuild): process them now.
  void wake();
  // Intake indexed new deliveries, made durable in groups of at most `largestGroup`: process
  // them; a group of saturatedBatch or more marks intake busy for the busy window.
  void intakeCommitted(std::size_t largestGroup) override;
  void requeued() override { wake(); }
  // Finishes the step in progress, then ends the thread. Idempotent.
  void stop();

  // How long to pause after a step that took `spent` so the thread uses at most `share` of a core.
  [[nodiscard]] static std::chrono::microseconds pauseAfter(std::chrono::microseconds spent, double share);
  // Whether the thread is pacing itself now (intake saturated within the busy window).
  [[nodiscard]] bool intakeBusy() const;

 private:
  Worker(Processor& processor, core::Logger& logger, Options options, std::unique_ptr<WorkerClock> ownedClock);
  void run();
  Processor& processor_;
  core::Logger& logger_;
  Options options_;
  std::unique_ptr<WorkerClock> ownedClock_;  // null when the clock was injected
  WorkerClock& clock_;
  std::atomic<std::int64_t> lastIntakeCommit_{0};  // clock_ ticks since its epoch; 0: never
  // Any intake commit, however small: while intake is active the step reads no batch ahead on a
  // second thread, whose CPU would come out of intake's (Processor::step's mayPrefetch).
  std::atomic<std::int64_t> lastIntakeAny_{0};
  std::mutex mutex_;
  std::condition_variable wakeUp_;
  bool woken_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace forgehook::pipeline
