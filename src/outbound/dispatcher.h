#pragma once
// Delivers the subscriptions' outboxes: copies new changes into them (SubscriptionStore::enqueue)
// and posts each subscription's oldest pending message, signed with Standard Webhooks, until it is
// delivered (2xx) or its retry period is over (failed; the next message goes). One scheduler
// thread and a few sender threads: a subscription has at most one message in flight, so its
// messages go in seq order, and a slow or dead endpoint holds one sender, never the others'
// subscriptions. Retries back off exponentially with jitter; after `disableAfterFailedMessages`
// consecutive failed messages the subscription is disabled until resumed. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "outbound/http_poster.h"
#include "store/change_feed.h"
#include "store/leadership.h"
#include "store/subscription_store.h"

namespace forgehook::outbound {

struct DispatcherOptions {
  std::int64_t retryInitialMs = 1000;           // first retry delay; doubles per attempt, with jitter
  std::int64_t retryMaxMs = 600'000;            // cap on one retry delay
  std::int64_t retryPeriodS = 86'400;           // a message failing this long after its first attempt: failed
  std::int64_t disableAfterFailedMessages = 3;  // consecutive failed messages disable; 0: never
  int senders = 4;                              // messages in flight at once (one per subscription)
  std::int64_t pollIntervalMs = 1000;           // look for due retries at least this often
  // Nodes sharing a store: only the one leading "subscriptions" sends (null: this node alone).
  store::Leadership* leadership = nullptr;
};

// The body of a message: the change as GET /api/v1/changes renders it (api::changeJson).
using BodyRenderer = std::function<std::string(const store::Change&)>;
// A number in [0, 1): the jitter of one retry delay.
using Jitter = std::function<double()>;

class Dispatcher {
 public:
  // `metrics` may be null (tests). Without `jitter`, a random one.
  Dispatcher(store::SubscriptionStore& store, HttpPoster& poster, const core::Clock& clock, const core::Logger& logger,
             core::Metrics* metrics, BodyRenderer render, DispatcherOptions options, Jitter jitter = {});
  ~Dispatcher();  // stop()s
  void start();
  void stop();  // idempotent; waits for the attempts in flight
  // New changes may be in the feed or a subscription changed: look again now. Cheap, never blocks.
  void notify();

  // One pass on the calling thread, for tests: enqueue everything new, then make one attempt for
  // each due message. Returns the attempts made.
  int runOnce();

  // The signed request of one attempt at `nowSeconds`.
  [[nodiscard]] PostRequest requestFor(const store::DueMessage& message, std::int64_t nowSeconds) const;
  // What an attempt's result means for its message and subscription. Pure.
  [[nodiscard]] store::AttemptOutcome decide(const store::DueMessage& message, const PostResult& result,
                                             std::int64_t now) const;
  // The delay before the next retry of a message whose retry period began `elapsedMicros` ago:
  // initial + elapsed, capped, then jittered into [delay/2, delay]. Without jitter that is
  // initial, 2 initial, 4 initial, ... (each wait as long as all before it): exponential backoff
  // counted from the period's start, so a period begun again (resume, manual retry) starts short,
  // whatever the message's lifetime attempt count.
  [[nodiscard]] std::int64_t retryDelayMicros(std::int64_t elapsedMicros) const;

 private:
  void schedule();
  void send();
  void attempt(const store::DueMessage& message);
  bool enqueueAll();

  store::SubscriptionStore& store_;
  HttpPoster& poster_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  core::Metrics* metrics_;
  BodyRenderer render_;
  DispatcherOptions options_;
  Jitter jitter_;

  std::mutex mutex_;
  std::condition_variable wakeScheduler_, wakeSenders_;
  bool stopping_ = false;
  bool notified_ = false;               // a commit or an API change: something may be new
  bool freed_ = false;                  // a sender finished: its subscription's next message may be due
  std::set<std::int64_t> busy_;         // subscriptions with a message in flight
  std::deque<store::DueMessage> jobs_;  // due, waiting for a sender
  std::thread scheduler_;
  std::vector<std::thread> senders_;
};

}  // namespace forgehook::outbound
