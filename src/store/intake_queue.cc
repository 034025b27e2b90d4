#include "store/intake_queue.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/thread_name.h"

namespace forgehook::store {

IntakeQueue::IntakeQueue(DeliveryLog& log, Options options, core::Metrics& metrics)
    : log_(log), options_(options), metrics_(metrics), writer_([this] {
        core::nameThisThread("fh-intake");
        run();
      }) {}

IntakeQueue::~IntakeQueue() { stop(); }

core::Result<void> IntakeQueue::submit(NewDelivery delivery, Completion done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_)
      return std::unexpected(core::Error::unavailable("store_unavailable", "forgehook is shutting down", 5));
    if (static_cast<std::int64_t>(queue_.size()) + inFlight_ >= options_.maxPending)
      return std::unexpected(
          core::Error::unavailable("intake_backlog_full", "too many deliveries are waiting for the disk", 1));
    queue_.push_back({std::move(delivery), std::move(done)});
    metrics_.intakeQueueDepth.set(static_cast<std::int64_t>(queue_.size()) + inFlight_);
  }
  wake_.notify_one();
  return {};
}

void IntakeQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

std::int64_t IntakeQueue::depth() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(queue_.size()) + inFlight_;
}

void IntakeQueue::run() {
  std::vector<Pending> batch;
  std::vector<NewDelivery> rows;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(mutex_);
      if (unindexed_ > 0) {
        wake_.wait_until(lock, indexDueAt(), [&] { return stopping_ || !queue_.empty(); });
      } else {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      }
      if (queue_.empty()) {
        const bool stopping = stopping_;
        lock.unlock();
        // Woken by the deadline (or to stop): index now.
        if (unindexed_ > 0) indexNow();
        // Stopping, everything queued is durable and (unless the index failed) indexed.
        if (stopping) return;
        continue;
      }
      while (!queue_.empty() && static_cast<std::int64_t>(batch.size()) < options_.maxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      inFlight_ = static_cast<std::int64_t>(batch.size());
    }
    rows.clear();
    rows.reserve(batch.size());
    for (auto& p : batch) rows.push_back(std::move(p.delivery));

    const auto start = std::chrono::steady_clock::now();
    auto outcomes = log_.appendDurable(rows);
    metrics_.commitLatency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    metrics_.commitBatchSize.observe(static_cast<double>(batch.size()));

    bool indexFirst = false;
    if (outcomes) {
      if (unindexed_ == 0) unindexedSince_ = start;
      unindexed_ += static_cast<std::int64_t>(batch.size());
      metrics_.intakeUnindexed.set(static_cast<std::int64_t>(log_.pendingCount()));
      largestGroup_ = std::max(largestGroup_, batch.size());
      std::lock_guard lock(mutex_);
      // Nobody else waiting: index before answering, so that whoever sends one delivery at a time
      // finds it in every query once answered. Deferring pays only while groups keep coming, and
      // only for a store that defers (one that indexed as it appended has nothing left: the
      // pipeline is told at once). A failure leaves the deliveries durable and pending: answered
      // all the same.
      indexFirst = queue_.empty() || log_.pendingCount() == 0;
    }
    if (indexFirst && !indexFailed_) indexNow();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes)
        batch[i].done((*outcomes)[i]);
      else
        batch[i].done(std::unexpected(outcomes.error()));
    }
    {
      std::lock_guard lock(mutex_);
      inFlight_ = 0;
      metrics_.intakeQueueDepth.set(static_cast<std::int64_t>(queue_.size()));
    }
    // Enough waiting, or waiting long enough; after a failure only the deadline counts.
    if ((unindexed_ >= options_.indexRows && !indexFailed_) ||
        (unindexed_ > 0 && std::chrono::steady_clock::now() >= indexDueAt()))
      indexNow();
  }
}

std::chrono::steady_clock::time_point IntakeQueue::indexDueAt() const {
  // After a failure, not once per group (each attempt is a write transaction that fails again),
  // and at least 1 ms later even with indexEvery 0: no loop of failing attempts.
  return unindexedSince_ + (indexFailed_ ? std::max(options_.indexEvery, std::chrono::milliseconds(1))
                                         : options_.indexEvery);
}

bool IntakeQueue::indexNow() {
  if (auto indexed = log_.indexPending(); !indexed) {
    // Timed from the failure's end: an attempt that took indexEvery or longer (a busy timeout)
    // must not be followed by another at once.
    indexFailed_ = true;
    unindexedSince_ = std::chrono::steady_clock::now();
    return false;
  }
  indexFailed_ = false;
  if (options_.listener) options_.listener->intakeCommitted(largestGroup_);
  unindexed_ = 0;
  metrics_.intakeUnindexed.set(0);
  largestGroup_ = 0;
  return true;
}

}  // namespace forgehook::store
