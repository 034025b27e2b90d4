#pragma once
// Periodic upkeep on its own thread: prunes the change feed to its retention every minute, in the
// store's small transactions, so it never holds the writer for long. With subscriptions, it first
// brings their outboxes up to the feed's newest seq (so no change is pruned before it is enqueued),
// and prunes delivered and failed messages and attempts with the same retention. It also forgets
// event keys (deduplication of polled events) after kEventKeyRetentionMicros, and with a body
// retention prunes the bodies of older deliveries (kBodyRowsPerTransaction at a time). Every prune
// pauses kPauseBetweenBatches between two transactions so intake never waits long for the writer,
// and a stop ends the pause and the prune at once. Thread-safe start/stop.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/time.h"
#include "store/body_retention.h"
#include "store/change_feed.h"
#include "store/leadership.h"
#include "store/processing_queue.h"
#include "store/subscription_store.h"

namespace forgehook::app {

class Housekeeping {
 public:
  // How long an applied event's key is kept: far longer than the Events API reaches back (it lists
  // at most 300 events of the last 90 days, and the poller only fetches what it missed since its last
  // poll), and a month of keys is a small table.
  static constexpr std::int64_t kEventKeyRetentionMicros = 30LL * 86'400 * 1'000'000;

  // Bodies per pruning transaction: a few milliseconds of the writer, what a delivery may wait.
  static constexpr int kBodyRowsPerTransaction = 500;
  // Between two pruning transactions (bodies, change feed, outboxes): the writer is free for intake.
  static constexpr std::chrono::milliseconds kPauseBetweenBatches{5};

  // Delivery bodies older than maxAgeMicros are pruned; no store or an age of 0 keeps them all.
  struct BodyPruning {
    store::BodyRetention* store = nullptr;
    std::int64_t maxAgeMicros = 0;
  };

  // `subscriptions` and `eventKeys` may be null.
  Housekeeping(store::ChangeFeed& feed, store::ChangeRetention retention, store::SubscriptionStore* subscriptions,
               store::ProcessingQueue* eventKeys, BodyPruning bodies, const core::Clock& clock,
               const core::Logger& logger, std::chrono::milliseconds interval = std::chrono::minutes(1),
               store::Leadership* leadership = nullptr);  // null: this node alone; else it runs while leading
  ~Housekeeping();  // stop()s
  void start();
  void stop();  // idempotent

 private:
  void run();
  void pruneEventKeys();
  void pruneBodies();
  // Waits kPauseBetweenBatches; false when a stop came meanwhile (the prune then ends).
  bool pauseBetweenBatches();
  store::ChangeFeed& feed_;
  store::ChangeRetention retention_;
  store::SubscriptionStore* subscriptions_;
  store::Leadership* leadership_;
  store::ProcessingQueue* eventKeys_;
  BodyPruning bodies_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace forgehook::app
