#pragma once
// Periodic upkeep on its own thread: prunes the change feed to its retention every minute, in the
// store's small transactions, so it never holds the writer for long. With subscriptions, it first
// brings their outboxes up to the feed's newest seq (so no change is pruned before it is enqueued),
// and prunes delivered and failed messages and attempts with the same retention. Thread-safe
// start/stop.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/time.h"
#include "store/change_feed.h"
#include "store/subscription_store.h"

namespace forgehook::app {

class Housekeeping {
 public:
  // `subscriptions` may be null.
  Housekeeping(store::ChangeFeed& feed, store::ChangeRetention retention, store::SubscriptionStore* subscriptions,
               const core::Clock& clock, const core::Logger& logger,
               std::chrono::milliseconds interval = std::chrono::minutes(1));
  ~Housekeeping();  // stop()s
  void start();
  void stop();  // idempotent

 private:
  void run();
  store::ChangeFeed& feed_;
  store::ChangeRetention retention_;
  store::SubscriptionStore* subscriptions_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace forgehook::app
