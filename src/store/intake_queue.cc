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
        // After a failure at least 1 ms, even with indexEvery 0: no loop of failing attempts.
        const auto every = indexFailedAt_ ? std::max(options_.indexEvery, std::chrono::milliseconds(1))
                                          : options_.indexEvery;
        const auto due = unindexedSince_ + every;
        wake_.wait_until(lock, due, [&] { return stopping_ || !queue_.empty(); });
      } else {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      }
      if (queue_.empty()) {
        const bool stopping = stopping_;
        lock.unlock();
        // Woken by the deadline (or to stop): index now, even right after a failure.
        if (unindexed_ > 0) indexNow(true);
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

    bool idle = false;
    if (outcomes) {
      if (unindexed_ == 0) unindexedSince_ = start;
      unindexed_ += static_cast<std::int64_t>(batch.size());
      metrics_.intakeUnindexed.set(unindexed_);
      largestGroup_ = std::max(largestGroup_, batch.size());
      std::lock_guard lock(mutex_);
      idle = queue_.empty();
    }
    // Nobody else waiting: index before answering, so that whoever sends one delivery at a time
    // finds it in every query once answered. Deferring pays only while groups keep coming. A
    // failure leaves the deliveries durable and pending: answered all the same.
    if (idle) indexNow();
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
    if (unindexed_ >= options_.indexRows ||
        (unindexed_ > 0 && std::chrono::steady_clock::now() - unindexedSince_ >= options_.indexEvery))
      indexNow();
  }
}

bool IntakeQueue::indexNow(bool evenAfterAFailure) {
  const auto now = std::chrono::steady_clock::now();
  // After a failure, not once per group (each attempt is a write transaction that fails again):
  // the deadline wake-up tries again indexEvery later.
  if (indexFailedAt_ && !evenAfterAFailure && now - *indexFailedAt_ < options_.indexEvery) return false;
  if (auto indexed = log_.indexPending(); !indexed) {
    // Timed from the failure's end: an attempt that took indexEvery or longer (a busy timeout)
    // must not be followed by another at once.
    indexFailedAt_ = std::chrono::steady_clock::now();
    unindexedSince_ = *indexFailedAt_;  // the deadline wake-up tries again after indexEvery
    return false;
  }
  indexFailedAt_.reset();
  if (options_.listener) options_.listener->intakeCommitted(largestGroup_);
  unindexed_ = 0;
  metrics_.intakeUnindexed.set(0);
  largestGroup_ = 0;
  return true;
}

}  // namespace forgehook::store
