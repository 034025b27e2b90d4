#include "outbound/dispatcher.h"

#include <algorithm>
#include <random>

#include "verify/standard_webhooks.h"

namespace forgehook::outbound {
namespace {

constexpr std::int64_t kEnqueueStep = 1000;  // feed records per subscription per transaction
constexpr auto kMinPassGap = std::chrono::milliseconds(5);

Jitter randomJitter() {
  return [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::string periodText(std::int64_t seconds) {
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

}  // namespace

Dispatcher::Dispatcher(store::SubscriptionStore& store, HttpPoster& poster, const core::Clock& clock,
                       const core::Logger& logger, core::Metrics* metrics, BodyRenderer render,
                       DispatcherOptions options, Jitter jitter)
    : store_(store),
      poster_(poster),
      clock_(clock),
      logger_(logger),
      metrics_(metrics),
      render_(std::move(render)),
      options_(std::move(options)),
      jitter_(jitter ? std::move(jitter) : randomJitter()) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  scheduler_ = std::thread([this] { schedule(); });
  for (int i = 0; i < std::max(1, options_.senders); ++i) senders_.emplace_back([this] { send(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeScheduler_.notify_all();
  wakeSenders_.notify_all();
  poster_.cancel();  // attempts in flight end now; their messages stay pending for the next start
  if (scheduler_.joinable()) scheduler_.join();
  for (auto& t : senders_)
    if (t.joinable()) t.join();
  senders_.clear();
}

void Dispatcher::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wakeScheduler_.notify_one();
}

PostRequest Dispatcher::requestFor(const store::DueMessage& m, std::int64_t nowSeconds) const {
  PostRequest r;
  r.url = m.url;
  r.body = render_({m.seq, m.atMicros, m.resource, m.action, m.entityId, m.forge, m.repository, m.dataJson});
  // Stable across the retries of one message, so a receiver can drop the duplicates of at-least-once.
  const std::string id = "msg_" + std::to_string(m.subscriptionId) + "_" + std::to_string(m.seq);
  const std::string timestamp = std::to_string(nowSeconds);
  r.headers = {{"Content-Type", "application/json"},
               {"webhook-id", id},
               {"webhook-timestamp", timestamp},
               {"webhook-signature", verify::signStandardWebhook(m.secret, id, timestamp, r.body)}};
  return r;
}

std::int64_t Dispatcher::retryDelayMicros(std::int64_t elapsedMicros) const {
  const std::int64_t delay =
      std::min(options_.retryInitialMs * 1000 + std::max<std::int64_t>(0, elapsedMicros), options_.retryMaxMs * 1000);
  const double factor = 0.5 + 0.5 * std::clamp(jitter_(), 0.0, 1.0);
  return std::max<std::int64_t>(1000, static_cast<std::int64_t>(static_cast<double>(delay) * factor));
}

store::AttemptOutcome Dispatcher::decide(const store::DueMessage& m, const PostResult& result, std::int64_t now) const {
  store::AttemptOutcome o;
  auto& a = o.attempt;
  a.subscriptionId = m.subscriptionId;
  a.messageId = m.messageId;
  a.seq = m.seq;
  a.attempt = m.attempts + 1;
  a.at = now;
  a.statusCode = result.statusCode;
  a.durationMs = result.durationMs;
  a.responseExcerpt = result.responseExcerpt.substr(0, kExcerptBytes);
  a.error = result.error;
  if (result.ok()) {
    o.next = store::AttemptOutcome::Next::Delivered;
    return o;
  }
  const std::int64_t first = m.firstAttemptAt.value_or(now);
  const std::int64_t deadline = first + options_.retryPeriodS * 1'000'000;
  if (now >= deadline) {
    o.next = store::AttemptOutcome::Next::Failed;
    if (options_.disableAfterFailedMessages > 0 && m.failedStreak + 1 >= options_.disableAfterFailedMessages)
      o.disableReason = std::to_string(m.failedStreak + 1) + " consecutive messages failed, each retried for " +
                        periodText(options_.retryPeriodS) + "; last error: " + result.error.value_or("");
    return o;
  }
  o.next = store::AttemptOutcome::Next::RetryAt;
  // The last retry comes at the end of the period, so a message gets all of it.
  o.retryAt = std::min(now + retryDelayMicros(now - first), deadline);
  return o;
}

void Dispatcher::attempt(const store::DueMessage& m) {
  const auto request = requestFor(m, clock_.nowSeconds());
  const auto result = poster_.post(request);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // cut short by stop(): not the endpoint's failure
  }
  const auto outcome = decide(m, result, clock_.nowMicros());
  if (auto done = store_.recordAttempt(outcome); !done)
    logger_.error("cannot record a subscription attempt",
                  {{"subscription", m.subscriptionId}, {"seq", m.seq}, {"error", done.error().message}});
  using Next = store::AttemptOutcome::Next;
  const char* label = outcome.next == Next::Delivered ? "delivered"
                      : outcome.next == Next::Failed  ? "failed"
                                                      : "retrying";
  if (metrics_) metrics_->subscriptionAttempts.with({label}).add();
  if (outcome.next == Next::Failed)
    logger_.warn("subscription message failed",
                 {{"subscription", m.subscriptionId}, {"seq", m.seq}, {"error", result.error.value_or("")}});
  if (outcome.disableReason)
    logger_.warn("subscription disabled", {{"subscription", m.subscriptionId}, {"reason", *outcome.disableReason}});
}

bool Dispatcher::enqueueAll() {
  for (;;) {
    auto added = store_.enqueue(kEnqueueStep, clock_.nowMicros());
    if (!added) {
      logger_.error("cannot enqueue subscription messages", {{"error", added.error().message}});
      return false;
    }
    auto behind = store_.behind();
    if (!behind || !*behind) return true;
  }
}

int Dispatcher::runOnce() {
  enqueueAll();
  auto due = store_.due(clock_.nowMicros(), {});
  if (!due) return 0;
  for (const auto& m : *due) attempt(m);
  return static_cast<int>(due->size());
}

void Dispatcher::schedule() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Commits come thousands a second under load: a pass (a few indexed reads) runs at most once
    // per kMinPassGap for them; a sender set free starts one at once.
    if (notified_ && !freed_) wakeScheduler_.wait_for(lock, kMinPassGap, [&] { return stopping_ || freed_; });
    if (stopping_) return;
    notified_ = false;
    freed_ = false;
    const std::vector<std::int64_t> busy(busy_.begin(), busy_.end());
    lock.unlock();
    // Another node leads: its dispatcher sends; this one looks again after a poll interval.
    if (options_.leadership && !options_.leadership->leads("subscriptions")) {
      lock.lock();
      wakeScheduler_.wait_for(lock, std::chrono::milliseconds(options_.pollIntervalMs), [&] { return stopping_; });
      continue;
    }
    enqueueAll();
    const auto now = clock_.nowMicros();
    auto due = store_.due(now, busy);
    auto next = store_.nextDueAt();
    lock.lock();
    if (due) {
      for (auto& m : *due) {
        if (!busy_.insert(m.subscriptionId).second) continue;
        jobs_.push_back(std::move(m));
      }
      wakeSenders_.notify_all();
    } else {
      logger_.error("cannot read due subscription messages", {{"error", due.error().message}});
    }
    // Sleep until the next retry comes due (a due head whose subscription is busy wakes us through
    // notify() when its attempt is recorded), at most a poll interval.
    auto wait = std::chrono::milliseconds(options_.pollIntervalMs);
    if (next && *next && **next > now) wait = std::min(wait, std::chrono::milliseconds((**next - now) / 1000 + 1));
    wakeScheduler_.wait_for(lock, wait, [&] { return stopping_ || notified_ || freed_; });
  }
}

void Dispatcher::send() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wakeSenders_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    auto m = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    attempt(m);
    lock.lock();
    busy_.erase(m.subscriptionId);
    freed_ = true;
    wakeScheduler_.notify_one();
  }
}

}  // namespace forgehook::outbound
