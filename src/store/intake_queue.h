#pragma once
// Group commit: deliveries from all sessions queue here, and one writer thread makes whatever has
// queued durable at once (DeliveryLog::appendDurable), so concurrent deliveries share an fsync, and
// completes them. It indexes them (DeliveryLog::indexPending) once indexEvery has passed since the
// first one left unindexed, or indexRows wait, or it is told to stop: one index transaction for
// many groups instead of one per group; when nobody else waits, it indexes before answering. The
// listener hears of deliveries once they are indexed.
// Bounded: when maxPending deliveries already wait, submit() refuses at once (the caller answers
// 503) instead of letting memory and latency grow. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
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
    // Told on the writer thread after each successful index, with the largest group it covered (the
    // pipeline's wake-up); may be null.
    QueueListener* listener = nullptr;
    // How long an acknowledged delivery may stay unindexed (out of lists, metrics and the
    // pipeline), and how many may.
    std::chrono::milliseconds indexEvery{20};
    std::int64_t indexRows = 2048;
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
  // On the writer thread: indexes what is pending and tells the listener. False when that failed
  // (the rows stay pending, durable; tried again at indexDueAt()).
  bool indexNow();
  // When the deliveries waiting for the index (or a failed attempt) are due to be indexed.
  [[nodiscard]] std::chrono::steady_clock::time_point indexDueAt() const;

  DeliveryLog& log_;
  Options options_;
  core::Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::int64_t inFlight_ = 0;  // taken by the writer, not yet completed
  // Writer thread only: deliveries made durable the pipeline has not been told of yet, since when
  // (or since the last failed attempt to index them), the largest group among them, and whether
  // that attempt failed (then tried again at the deadline, not per group).
  std::int64_t unindexed_ = 0;
  std::chrono::steady_clock::time_point unindexedSince_{};
  std::size_t largestGroup_ = 0;
  bool indexFailed_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace forgehook::store
