#include "app/housekeeping.h"

#include "core/thread_name.h"

namespace forgehook::app {

Housekeeping::Housekeeping(store::ChangeFeed& feed, store::ChangeRetention retention,
                           store::SubscriptionStore* subscriptions, store::ProcessingQueue* eventKeys,
                           BodyPruning bodies, const core::Clock& clock, const core::Logger& logger,
                           std::chrono::milliseconds interval, store::Leadership* leadership)
    : feed_(feed),
      retention_(retention),
      subscriptions_(subscriptions),
      leadership_(leadership),
      eventKeys_(eventKeys),
      bodies_(bodies),
      clock_(clock),
      logger_(logger),
      interval_(interval) {
  retention_.between = [this] { return pauseBetweenBatches(); };
}

Housekeeping::~Housekeeping() { stop(); }

void Housekeeping::start() {
  thread_ = std::thread([this] {
    core::nameThisThread("fh-housekeeping");
    run();
  });
}

void Housekeeping::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Housekeeping::run() {
  // First at start, so a retention lowered by a restart applies at once; then every interval.
  for (bool first = true;; first = false) {
    if (!first) {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, interval_, [&] { return stopping_; })) return;
    }
    if (leadership_ && !leadership_->leads("housekeeping")) continue;  // another node prunes
    if (subscriptions_) {
      // Enqueue what the outboxes have not taken yet: a change pruned first would never be sent.
      for (;;) {
        auto added = subscriptions_->enqueue(1000, clock_.nowMicros());
        auto behind = subscriptions_->behind();
        if (!added || !behind || !*behind) break;
      }
      auto outbox = subscriptions_->prune({retention_.maxAgeMicros, retention_.between},
                                          clock_.nowMicros());
      if (!outbox) logger_.error("cannot prune the subscription outboxes", {{"error", outbox.error().message}});
    }
    auto pruned = feed_.prune(retention_, clock_.nowMicros());
    if (!pruned)
      logger_.error("cannot prune the change feed", {{"error", pruned.error().message}});
    else if (*pruned > 0)
      logger_.info("pruned the change feed", {{"records", *pruned}});
    pruneEventKeys();
    pruneBodies();
  }
}

void Housekeeping::pruneBodies() {
  if (!bodies_.store || bodies_.maxAgeMicros <= 0) return;
  const auto now = clock_.nowMicros();
  auto pruned = bodies_.store->pruneBodies(now - bodies_.maxAgeMicros, now, kBodyRowsPerTransaction,
                                           [this] { return pauseBetweenBatches(); });
  if (!pruned)
    logger_.error("cannot prune delivery bodies", {{"error", pruned.error().message}});
  else if (pruned->deliveries > 0)
    logger_.info("pruned delivery bodies", {{"deliveries", pruned->deliveries}, {"bytes", pruned->bytes}});
}

bool Housekeeping::pauseBetweenBatches() {
  // The pause hands the writer to intake and the pipeline; a stop ends it at once.
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, kPauseBetweenBatches, [&] { return stopping_; });
}

void Housekeeping::pruneEventKeys() {
  if (!eventKeys_) return;
  constexpr int kRowsPerTransaction = 1000;  // the pipeline's writer waits at most one of these
  const std::int64_t cutoff = clock_.nowMicros() - kEventKeyRetentionMicros;
  for (;;) {
    auto pruned = eventKeys_->pruneEventKeys(cutoff, kRowsPerTransaction);
    if (!pruned) {
      logger_.error("cannot prune the event keys", {{"error", pruned.error().message}});
      return;
    }
    if (*pruned < kRowsPerTransaction) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
}

}  // namespace forgehook::app
