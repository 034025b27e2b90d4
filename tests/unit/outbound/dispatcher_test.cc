// The dispatcher over the SQLite store with a fake poster and a hand-moved clock (no sleeps): the
// signed request (a vector computed by the npm standardwebhooks package), seq order per
// subscription, exponential backoff with jitter, the retry period, auto-disable, and a dead
// endpoint that does not hold back a healthy one (on the real threads, waiting on a condition).
#include "outbound/dispatcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "support/subscriptions_fixture.h"

namespace forgehook::outbound {
namespace {

using store::sqlite::kSecond;
using ::testing::ElementsAre;

PostResult ok200() {
  PostResult r;
  r.statusCode = 200;
  return r;
}

// Answers each post with `respond(url, n)` (n: posts to that url so far, from 1); records them.
class FakePoster final : public HttpPoster {
 public:
  std::function<PostResult(const std::string&, int)> respond = [](const std::string&, int) { return ok200(); };
  PostResult post(const PostRequest& r) override {
    int n;
    {
      std::lock_guard lock(mutex_);
      posts.push_back(r);
      n = ++count_[r.url];
    }
    return respond(r.url, n);
  }
  void cancel() override {
    std::lock_guard lock(mutex_);
    cancelled = true;
    cancelledChanged.notify_all();
  }
  std::vector<std::int64_t> seqsTo(const std::string& url) {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> out;
    for (const auto& p : posts)
      if (p.url == url) out.push_back(nlohmann::json::parse(p.body)["seq"].get<std::int64_t>());
    return out;
  }
  std::mutex mutex_;
  std::vector<PostRequest> posts;
  std::map<std::string, int> count_;
  bool cancelled = false;
  std::condition_variable cancelledChanged;
};

PostResult failure(int status = 500) {
  PostResult r;
  r.statusCode = status;
  r.responseExcerpt = "down";
  r.error = "HTTP " + std::to_string(status);
  r.durationMs = 3;
  return r;
}

std::string renderSeq(const store::Change& c) { return "{\"seq\":" + std::to_string(c.seq) + "}"; }

class DispatcherTest : public testing::SubscriptionsTest {
 protected:
  DispatcherOptions options() {
    DispatcherOptions o;
    o.retryInitialMs = 1000;
    o.retryMaxMs = 8000;
    o.retryPeriodS = 60;
    o.disableAfterFailedMessages = 2;
    return o;
  }
  Dispatcher make(DispatcherOptions o) {
    return Dispatcher(subs_, poster_, clock_, logger_, nullptr, renderSeq, o, [this] { return jitter_; });
  }
  std::string url(int n) { return "https://example.com/" + std::to_string(n); }

  FakePoster poster_;
  core::Logger logger_{core::LogLevel::Error};
  double jitter_ = 1.0;  // the full delay (see Dispatcher::retryDelayMicros)
};

TEST_F(DispatcherTest, RequestIsSignedAsStandardWebhooksSpecifies) {
  auto d = make(options());
  store::DueMessage m;
  m.subscriptionId = 3;
  m.seq = 42;
  m.url = "https://example.com/hook";
  m.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";  // the Standard Webhooks specification's example key
  const auto r = d.requestFor(m, 1614265330);
  EXPECT_EQ(r.url, m.url);
  EXPECT_EQ(r.body, R"({"seq":42})");
  EXPECT_THAT(r.headers, ::testing::UnorderedElementsAre(
                             std::pair<std::string, std::string>{"Content-Type", "application/json"},
                             std::pair<std::string, std::string>{"webhook-id", "msg_3_42"},
                             std::pair<std::string, std::string>{"webhook-timestamp", "1614265330"},
                             // new Webhook(key).sign("msg_3_42", new Date(1614265330000), '{"seq":42}')
                             std::pair<std::string, std::string>{"webhook-signature",
                                                                 "v1,qxr/zsUdIiDfFCdKAe/YGht19gpMUHDrIY46BxKFb3A="}));
}

TEST_F(DispatcherTest, BackoffDoublesFromThePeriodsStartUpToTheCapAndJitterTakesUpToHalfOff) {
  auto d = make(options());
  // Retries at 0, 1, 3, 7 s into the period wait 1, 2, 4, 8 s: each as long as all before it.
  EXPECT_EQ(d.retryDelayMicros(0), 1 * kSecond);
  EXPECT_EQ(d.retryDelayMicros(1 * kSecond), 2 * kSecond);
  EXPECT_EQ(d.retryDelayMicros(3 * kSecond), 4 * kSecond);
  EXPECT_EQ(d.retryDelayMicros(7 * kSecond), 8 * kSecond);
  EXPECT_EQ(d.retryDelayMicros(3600 * kSecond), 8 * kSecond);  // the cap
  jitter_ = 0.0;
  EXPECT_EQ(d.retryDelayMicros(3 * kSecond), 2 * kSecond);
  jitter_ = 0.5;
  EXPECT_EQ(d.retryDelayMicros(3 * kSecond), 3 * kSecond);
}

TEST_F(DispatcherTest, APeriodBegunAgainStartsWithTheShortestDelayWhateverTheAttemptCount) {
  auto d = make(options());
  store::DueMessage m;
  m.attempts = 40;                  // failed many times before a resume or a manual retry
  m.firstAttemptAt = std::nullopt;  // the period starts with this attempt
  const auto o = d.decide(m, failure(), clock_.nowMicros());
  ASSERT_EQ(o.next, store::AttemptOutcome::Next::RetryAt);
  EXPECT_EQ(o.retryAt, clock_.nowMicros() + 1 * kSecond);
  EXPECT_EQ(o.attempt.attempt, 41) << "the attempt log keeps counting";
}

TEST_F(DispatcherTest, AFailingMessageIsRetriedWhenDueAndTheNextWaitsForIt) {
  auto d = make(options());
  create({.url = url(1)});
  const auto newest = receive(3);
  poster_.respond = [](const std::string&, int n) { return n <= 2 ? failure() : ok200(); };
  EXPECT_EQ(d.runOnce(), 1);  // attempt 1 fails: retry in 1 s
  EXPECT_EQ(d.runOnce(), 0);
  clock_.advanceMicros(kSecond - 1);
  EXPECT_EQ(d.runOnce(), 0);
  clock_.advanceMicros(1);
  EXPECT_EQ(d.runOnce(), 1);  // attempt 2 fails: retry in 2 s
  clock_.advanceMicros(2 * kSecond - 1);
  EXPECT_EQ(d.runOnce(), 0);
  clock_.advanceMicros(1);
  EXPECT_EQ(d.runOnce(), 1);  // delivered
  EXPECT_EQ(d.runOnce(), 1);
  EXPECT_EQ(d.runOnce(), 1);
  EXPECT_EQ(d.runOnce(), 0);
  EXPECT_THAT(poster_.seqsTo(url(1)), ElementsAre(newest - 2, newest - 2, newest - 2, newest - 1, newest));
  EXPECT_EQ(get(1).pending, 0);
}

TEST_F(DispatcherTest, AMessageFailsWhenItsRetryPeriodIsOverAndTheNextOneGoes) {
  auto o = options();
  o.disableAfterFailedMessages = 0;
  auto d = make(o);
  const auto sub = create({.url = url(1)});
  const auto newest = receive(2);
  poster_.respond = [&](const std::string&, int) { return failure(); };
  // Retries at +1, +3, +7, +15, +23, ... s (8 s cap), the last one exactly at +60 s.
  int attempts = 0;
  for (int i = 0; i < 200 && get(sub.id).failed == 0; ++i) {
    attempts += d.runOnce();
    clock_.advanceMicros(kSecond / 2);
  }
  EXPECT_EQ(get(sub.id).failed, 1);
  EXPECT_EQ(attempts, 11);  // at +0, 1, 3, 7, 15, 23, 31, 39, 47, 55 and 60 s
  const auto failed = subs_.messages(sub.id, "failed", 10).value();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].seq, newest - 1);
  EXPECT_EQ(*failed[0].lastAttemptAt - *failed[0].firstAttemptAt, 60 * kSecond);
  poster_.respond = [](const std::string&, int) { return ok200(); };
  EXPECT_EQ(d.runOnce(), 1);
  EXPECT_EQ(poster_.seqsTo(url(1)).back(), newest);
  EXPECT_EQ(get(sub.id).status, "active");
}

TEST_F(DispatcherTest, ConsecutiveFailedMessagesDisableTheSubscriptionAndASuccessResetsTheStreak) {
  auto o = options();
  o.retryPeriodS = 1;
  auto d = make(o);
  const auto sub = create({.url = url(1)});
  receive(4);
  bool up = false;
  poster_.respond = [&](const std::string&, int) { return up ? ok200() : failure(503); };
  auto failOne = [&] {
    const auto failedBefore = get(sub.id).failed;
    for (int i = 0; i < 10 && get(sub.id).failed == failedBefore; ++i) {
      d.runOnce();
      clock_.advanceMicros(kSecond / 2);
    }
  };
  failOne();
  up = true;
  EXPECT_EQ(d.runOnce(), 1);  // a success between the failed messages
  up = false;
  failOne();
  EXPECT_EQ(get(sub.id).status, "active");
  failOne();
  const auto s = get(sub.id);
  EXPECT_EQ(s.status, "disabled");
  EXPECT_THAT(*s.disabledReason, ::testing::HasSubstr("2 consecutive messages failed, each retried for 1 s"));
  EXPECT_THAT(*s.disabledReason, ::testing::HasSubstr("HTTP 503"));
  EXPECT_EQ(s.failed, 3);
  EXPECT_EQ(s.pending, 0);
  clock_.advanceSeconds(100);
  EXPECT_EQ(d.runOnce(), 0);
}

TEST_F(DispatcherTest, ADeadEndpointDoesNotHoldBackAHealthyOne) {
  auto o = options();
  o.senders = 2;
  o.pollIntervalMs = 20;
  auto d = make(o);
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  poster_.respond = [&](const std::string& u, int) {
    std::unique_lock lock(mutex);
    if (u == url(1)) changed.wait(lock, [&] { return release; });  // hangs until the test ends
    changed.notify_all();
    return ok200();
  };
  create({.url = url(1)});
  create({.url = url(2)});
  const auto newest = receive(5);
  d.start();
  d.notify();
  {
    std::unique_lock lock(mutex);
    const bool done =
        changed.wait_for(lock, std::chrono::seconds(10), [&] { return poster_.seqsTo(url(2)).size() == 5; });
    EXPECT_TRUE(done);
    EXPECT_THAT(poster_.seqsTo(url(1)), ElementsAre(newest - 4));  // one in flight, the rest waits
    release = true;
  }
  changed.notify_all();
  d.stop();
  EXPECT_THAT(poster_.seqsTo(url(2)), ElementsAre(newest - 4, newest - 3, newest - 2, newest - 1, newest));
}

TEST_F(DispatcherTest, StopCancelsTheAttemptInFlightWhichStaysPendingWithoutAFailure) {
  auto d = make(options());
  std::mutex mutex;
  std::condition_variable started;
  bool inFlight = false;
  poster_.respond = [&](const std::string&, int) {
    {
      std::lock_guard lock(mutex);
      inFlight = true;
    }
    started.notify_all();
    std::unique_lock lock(poster_.mutex_);
    poster_.cancelledChanged.wait(lock, [&] { return poster_.cancelled; });  // a hung endpoint, until cancel()
    return failure(0);
  };
  const auto sub = create({.url = url(1)});
  receive(1);
  d.start();
  d.notify();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(started.wait_for(lock, std::chrono::seconds(10), [&] { return inFlight; }));
  }
  d.stop();  // returns although the endpoint never answers
  const auto s = get(sub.id);
  EXPECT_EQ(s.pending, 1);
  EXPECT_EQ(s.consecutiveFailures, 0);
  EXPECT_TRUE(subs_.attempts(sub.id, 10).value().empty());
}

}  // namespace
}  // namespace forgehook::outbound
