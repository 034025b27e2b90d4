#pragma once
// Group commit: deliveries from all sessions queue here, and one writer thread commits whatever has
// queued as one durable transaction, so concurrent deliveries share an fsync. Bounded: when
// maxPending deliveries already wait, submit() refuses at once (the caller answers 503) instead of
// letting memory and latency grow. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/metrics.h"
#include "store/delivery.h"
#include "store/delivery_log.h"
#include "store/queue_listener.h"

namespace forgehook::store {

class IntakeQueue {
 public:
  // Called on the writer thread once the delivery is committed (or the commit failed). Must not block.
  using Completion = std::function<void(core::Result<AppendOutcome>)>;

  struct Options {
    std::int64_t maxPending = 2048;
    std::int64_t maxBatch = 256;
    // Told on the writer thread after each successful commit (the pipeline's wake-up); may be null.
    QueueListener* listener = nullptr;
  };

  IntakeQueue(DeliveryLog& log, Options options, core::Metrics& metrics);
  ~IntakeQueue();  // stop()s

  // Queues a delivery. Errors: Unavailable "intake_backlog_full" when full, or after stop();
  // then `done` is not called.
  [[nodiscard]] core::Result<void> submit(NewDelivery delivery, Completion done);

  // Commits everything already queued, then ends the writer thread. Idempotent.
  void stop();

  [[nodiscard]] std::int64_t depth() const;

 private:
  struct Pending {
    NewDelivery delivery;
    Completion done;
  };
  void run();

  DeliveryLog& log_;
  Options options_;
  core::Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::int64_t inFlight_ = 0;  // taken by the writer, not yet completed
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace forgehook::store
