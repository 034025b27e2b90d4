#include "store/intake_queue.h"
#include "store/delivery_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"

namespace forgehook::store {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;  // generous: only reached when the behaviour under test is broken

// A Store whose appendBatch (appendDurable's default) records each batch, leaves it pending (a
// store that defers indexing, as SQLite's) unless told it indexes as it appends, can be held until
// the test releases it, and can be told to fail from a given batch on. Thread-safe.
class FakeStore final : public DeliveryLog {
 public:
  core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) override {
    std::unique_lock lock(mutex_);
    const std::size_t index = batches_.size();
    auto& ids = batches_.emplace_back();
    for (const auto& d : batch) ids.push_back(d.deliveryId);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !blocked_; });
    if (failure_ && index >= failFrom_) return std::unexpected(*failure_);
    std::vector<AppendOutcome> out;
    for (const auto& d : batch) {
      const auto it = outcomes_.find(d.deliveryId);
      out.push_back(it != outcomes_.end() ? it->second : AppendOutcome{AppendStatus::Inserted, nextId_++});
    }
    unindexed_ += batch.size();
    return out;
  }

  // What IntakeQueue leaves unindexed: counted by appendBatch (which appendDurable defaults to),
  // taken by indexPending, which can be told to fail.
  core::Result<void> indexPending() override {
    if (onIndex) onIndex();
    std::lock_guard lock(mutex_);
    indexCalls_.push_back(unindexed_);
    changed_.notify_all();
    if (indexFailures_ > 0) {
      --indexFailures_;
      return std::unexpected(core::Error::unavailable("store_unavailable", "disk I/O error", 1));
    }
    unindexed_ = 0;
    return {};
  }
  std::size_t pendingCount() const override {
    std::lock_guard lock(mutex_);
    return indexesOnAppend_ ? 0 : unindexed_;
  }
  // A store that indexes as it appends (PostgreSQL): nothing is left pending.
  void indexOnAppend() {
    std::lock_guard lock(mutex_);
    indexesOnAppend_ = true;
  }
  // The number of deliveries appended and not yet indexed at each indexPending call.
  std::vector<std::size_t> indexCalls() const {
    std::lock_guard lock(mutex_);
    return indexCalls_;
  }
  bool waitForIndexCalls(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return indexCalls_.size() >= n; });
  }
  std::function<void()> onIndex;  // set before the queue starts
  void failIndexing(int times) {
    std::lock_guard lock(mutex_);
    indexFailures_ = times;
  }

  // appendBatch calls from now on wait inside the store until release().
  void block() {
    std::lock_guard lock(mutex_);
    blocked_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      blocked_ = false;
    }
    changed_.notify_all();
  }
  void setOutcome(const std::string& deliveryId, AppendOutcome outcome) {
    std::lock_guard lock(mutex_);
    outcomes_[deliveryId] = outcome;
  }
  // Batches with index >= batchIndex (0-based, in call order) fail with `error`.
  void failFrom(std::size_t batchIndex, core::Error error) {
    std::lock_guard lock(mutex_);
    failFrom_ = batchIndex;
    failure_ = std::move(error);
  }
  void stopFailing() {
    std::lock_guard lock(mutex_);
    failure_.reset();
  }
  // True once appendBatch has been entered `n` times.
  bool waitForBatches(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return batches_.size() >= n; });
  }
  std::vector<std::vector<std::string>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  core::Result<DeliveryPage> listDeliveries(const DeliveryFilter&) override { return unused(); }
  core::Result<DeliveryDetail> getDelivery(std::int64_t) override { return unused(); }
  core::Result<std::vector<std::string>> storedDeliveryIds(const std::string&, const std::string&,
                                                           std::span<const std::string>) override {
    return unused();
  }
  core::Result<void> checkWritable() override { return unused(); }

 private:
  bool indexesOnAppend_ = false;
  static std::unexpected<core::Error> unused() {
    ADD_FAILURE() << "IntakeQueue called a DeliveryLog method other than appendBatch and indexPending";
    return std::unexpected(core::Error::internal("not used by IntakeQueue"));
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<std::string>> batches_;
  std::map<std::string, AppendOutcome> outcomes_;
  std::int64_t nextId_ = 1;
  std::size_t unindexed_ = 0;
  std::vector<std::size_t> indexCalls_;
  int indexFailures_ = 0;
  bool blocked_ = false;
  std::size_t failFrom_ = 0;
  std::optional<core::Error> failure_;
};

// Collects completions by delivery id. Thread-safe.
class Completions {
 public:
  IntakeQueue::Completion track(const std::string& deliveryId) {
    return [this, deliveryId](core::Result<AppendOutcome> result) {
      {
        std::lock_guard lock(mutex_);
        ++calls_[deliveryId];
        results_.insert_or_assign(deliveryId, std::move(result));
      }
      changed_.notify_all();
    };
  }
  bool waitFor(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return results_.size() >= n; });
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return results_.size();
  }
  int calls(const std::string& deliveryId) const {
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(deliveryId);
    return it == calls_.end() ? 0 : it->second;
  }
  std::optional<core::Result<AppendOutcome>> get(const std::string& deliveryId) const {
    std::lock_guard lock(mutex_);
    const auto it = results_.find(deliveryId);
    if (it == results_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, core::Result<AppendOutcome>> results_;
  std::map<std::string, int> calls_;
};

// Polls a condition the code under test offers no notification for, until a deadline.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

NewDelivery delivery(const std::string& deliveryId) {
  NewDelivery d;
  d.forge = "github";
  d.hookId = "1";
  d.deliveryId = deliveryId;
  d.event = "push";
  d.body = "{}";
  d.bodySize = 2;
  d.bodyEncoding = "identity";
  return d;
}

// Records the size of every group the queue reports committed. Thread-safe.
class RecordingListener final : public QueueListener {
 public:
  void intakeCommitted(std::size_t deliveries) override {
    std::lock_guard lock(mutex_);
    groups_.push_back(deliveries);
  }
  void requeued() override { ADD_FAILURE() << "intake never requeues"; }
  std::vector<std::size_t> groups() const {
    std::lock_guard lock(mutex_);
    return groups_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::size_t> groups_;
};

class IntakeQueueTest : public ::testing::Test {
 protected:
  void start(std::int64_t maxPending, std::int64_t maxBatch, QueueListener* listener = nullptr,
             std::chrono::milliseconds indexEvery = IntakeQueue::Options{}.indexEvery,
             std::int64_t indexRows = IntakeQueue::Options{}.indexRows) {
    queue_ = std::make_unique<IntakeQueue>(
        store_, IntakeQueue::Options{maxPending, maxBatch, listener, indexEvery, indexRows}, metrics_);
  }
  // A failed assertion must not leave the writer stuck in the store while the queue is destroyed.
  void TearDown() override {
    store_.release();
    queue_.reset();
  }

  core::Result<void> submit(const std::string& deliveryId) {
    return queue_->submit(delivery(deliveryId), done_.track(deliveryId));
  }
  void submitOk(const std::string& deliveryId) {
    const auto result = submit(deliveryId);
    ASSERT_TRUE(result.has_value()) << deliveryId << ": " << result.error().reason;
  }
  // Holds the store and returns once the writer is inside appendBatch with `first` alone.
  void occupyWriter(const std::string& first) {
    store_.block();
    ASSERT_NO_FATAL_FAILURE(submitOk(first));
    ASSERT_TRUE(store_.waitForBatches(1)) << "the writer never called appendBatch";
  }
  void expectInserted(const std::string& deliveryId) {
    const auto result = done_.get(deliveryId);
    ASSERT_TRUE(result.has_value()) << deliveryId << " never completed";
    ASSERT_TRUE(result->has_value()) << deliveryId << ": " << result->error().message;
    EXPECT_EQ((*result)->status, AppendStatus::Inserted) << deliveryId;
  }

  core::Metrics metrics_;
  FakeStore store_;
  Completions done_;
  std::unique_ptr<IntakeQueue> queue_;  // last: destroyed before what it refers to
};

TEST_F(IntakeQueueTest, CompletionsCarryTheStoresOutcomes) {
  start(100, 256);
  store_.setOutcome("new", {AppendStatus::Inserted, 41});
  store_.setOutcome("again", {AppendStatus::Duplicate, 7});
  submitOk("new");
  submitOk("again");
  ASSERT_TRUE(done_.waitFor(2));

  const auto fresh = done_.get("new");
  ASSERT_TRUE(fresh.has_value() && fresh->has_value());
  EXPECT_EQ((*fresh)->status, AppendStatus::Inserted);
  EXPECT_EQ((*fresh)->id, 41);
  const auto duplicate = done_.get("again");
  ASSERT_TRUE(duplicate.has_value() && duplicate->has_value());
  EXPECT_EQ((*duplicate)->status, AppendStatus::Duplicate);
  EXPECT_EQ((*duplicate)->id, 7);
  EXPECT_EQ(done_.calls("new"), 1);
  EXPECT_EQ(done_.calls("again"), 1);
}

TEST_F(IntakeQueueTest, SubmissionsWhileTheStoreIsBusyCommitAsOneBatch) {
  start(100, 256);
  ASSERT_NO_FATAL_FAILURE(occupyWriter("first"));
  submitOk("s1");
  submitOk("s2");
  submitOk("s3");
  EXPECT_EQ(queue_->depth(), 4);  // one in the store, three waiting
  EXPECT_EQ(metrics_.intakeQueueDepth.value(), 4);
  EXPECT_EQ(done_.count(), 0u);  // nothing completes before its commit returns

  store_.release();
  ASSERT_TRUE(done_.waitFor(4));
  EXPECT_THAT(store_.batches(), ElementsAre(ElementsAre("first"), ElementsAre("s1", "s2", "s3")));
  for (const char* id : {"first", "s1", "s2", "s3"}) expectInserted(id);

  queue_->stop();
  EXPECT_EQ(queue_->depth(), 0);
  EXPECT_EQ(metrics_.intakeQueueDepth.value(), 0);
  const std::string text = metrics_.renderPrometheus();
  EXPECT_THAT(text, ::testing::HasSubstr("forgehook_store_commit_batch_size_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("forgehook_store_commit_batch_size_bucket{le=\"4\"} 2\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("forgehook_store_commit_batch_size_count 2\n"));
}

TEST_F(IntakeQueueTest, FullBacklogRefusesWithoutCallingCompletion) {
  start(3, 256);
  ASSERT_NO_FATAL_FAILURE(occupyWriter("a"));
  submitOk("b");
  submitOk("c");  // 1 in the store + 2 queued = maxPending

  const auto refused = submit("d");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::Unavailable);
  EXPECT_EQ(refused.error().reason, "intake_backlog_full");
  EXPECT_GT(refused.error().retryAfterSeconds, 0);
  EXPECT_EQ(queue_->depth(), 3);

  store_.release();
  ASSERT_TRUE(done_.waitFor(3));
  // Room again once the backlog has drained.
  ASSERT_TRUE(eventually([&] { return queue_->depth() == 0; }));
  submitOk("e");
  ASSERT_TRUE(done_.waitFor(4));
  queue_->stop();  // the writer is gone: no completion can still arrive
  EXPECT_EQ(done_.calls("d"), 0);
  EXPECT_EQ(done_.count(), 4u);
  for (const char* id : {"a", "b", "c", "e"}) expectInserted(id);
}

TEST_F(IntakeQueueTest, FailingStoreFailsEveryCompletionOfTheBatch) {
  start(100, 256);
  ASSERT_NO_FATAL_FAILURE(occupyWriter("ok"));
  submitOk("x");
  submitOk("y");
  submitOk("z");
  store_.failFrom(1, core::Error::unavailable("store_unavailable", "disk I/O error", 1));
  store_.release();
  ASSERT_TRUE(done_.waitFor(4));

  EXPECT_THAT(store_.batches(), ElementsAre(ElementsAre("ok"), ElementsAre("x", "y", "z")));
  expectInserted("ok");
  for (const char* id : {"x", "y", "z"}) {
    const auto result = done_.get(id);
    ASSERT_TRUE(result.has_value()) << id;
    ASSERT_FALSE(result->has_value()) << id;
    EXPECT_EQ(result->error().code, core::Code::Unavailable) << id;
    EXPECT_EQ(result->error().reason, "store_unavailable") << id;
    EXPECT_EQ(done_.calls(id), 1) << id;
  }

  // The writer survives a failed commit.
  store_.stopFailing();
  submitOk("after");
  ASSERT_TRUE(done_.waitFor(5));
  expectInserted("after");
}

TEST_F(IntakeQueueTest, StopCommitsWhatIsQueuedThenRefuses) {
  start(100'000, 256);
  ASSERT_NO_FATAL_FAILURE(occupyWriter("w"));
  submitOk("a");
  submitOk("b");

  auto stopped = std::async(std::launch::async, [&] { queue_->stop(); });
  struct ReleaseOnExit {  // declared after `stopped`, so it runs before its destructor waits
    FakeStore& store;
    ~ReleaseOnExit() { store.release(); }
  } releaseOnExit{store_};

  // Until stop() has begun, submissions are still accepted and must be committed like the others.
  std::vector<std::string> probes;
  std::optional<core::Error> refusal;
  ASSERT_TRUE(eventually([&] {
    const std::string id = "probe-" + std::to_string(probes.size());
    const auto result = submit(id);
    if (!result) {
      refusal = result.error();
      EXPECT_EQ(done_.calls(id), 0);
      return true;
    }
    probes.push_back(id);
    return false;
  })) << "stop() never began refusing submissions";
  EXPECT_EQ(refusal->code, core::Code::Unavailable);
  EXPECT_EQ(refusal->reason, "store_unavailable");             // shutting down, not a full backlog
  EXPECT_NE(stopped.wait_for(0s), std::future_status::ready);  // the writer is still in the store

  store_.release();
  ASSERT_EQ(stopped.wait_for(kDeadline), std::future_status::ready) << "stop() did not return";
  // Everything accepted before stop() was committed by the time it returned.
  EXPECT_EQ(done_.count(), 3 + probes.size());
  for (const char* id : {"w", "a", "b"}) expectInserted(id);
  for (const auto& id : probes) expectInserted(id);

  const auto late = submit("late");
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, core::Code::Unavailable);
  EXPECT_EQ(late.error().reason, "store_unavailable");
  queue_->stop();  // idempotent
  EXPECT_EQ(done_.calls("late"), 0);
}

TEST_F(IntakeQueueTest, ListenerIsToldTheSizeOfEachCommittedGroupButNotOfAFailedOne) {
  RecordingListener listener;
  start(100, 256, &listener, 0ms);  // indexed after every group
  ASSERT_NO_FATAL_FAILURE(occupyWriter("first"));
  for (const char* id : {"s1", "s2", "s3"}) submitOk(id);
  store_.failFrom(2, core::Error::unavailable("store_unavailable", "disk I/O error", 1));
  store_.release();
  ASSERT_TRUE(done_.waitFor(4));
  submitOk("lost");  // the third batch fails
  ASSERT_TRUE(done_.waitFor(5));
  store_.stopFailing();
  submitOk("after");
  ASSERT_TRUE(done_.waitFor(6));
  queue_->stop();  // the writer is gone: every call it would make has been made

  EXPECT_THAT(store_.batches(), ElementsAre(ElementsAre("first"), ElementsAre("s1", "s2", "s3"), ElementsAre("lost"),
                                            ElementsAre("after")));
  EXPECT_THAT(listener.groups(), ElementsAre(1u, 3u, 1u));
}

TEST_F(IntakeQueueTest, MaxBatchCapsTheBatchSize) {
  start(100, 2);
  ASSERT_NO_FATAL_FAILURE(occupyWriter("w"));
  for (const char* id : {"q1", "q2", "q3", "q4", "q5"}) submitOk(id);
  store_.release();
  ASSERT_TRUE(done_.waitFor(6));
  EXPECT_THAT(store_.batches(),
              ElementsAre(ElementsAre("w"), ElementsAre("q1", "q2"), ElementsAre("q3", "q4"), ElementsAre("q5")));
}

}  // namespace
}  // namespace forgehook::store

namespace forgehook::store {
namespace {

TEST_F(IntakeQueueTest, WhenIdleItIndexesBeforeAnswering) {
  RecordingListener listener;
  std::size_t answeredAtIndex = 99;
  store_.onIndex = [&] { answeredAtIndex = done_.count(); };
  start(100, 256, &listener, std::chrono::hours(1));
  submitOk("a");
  ASSERT_TRUE(done_.waitFor(1));
  EXPECT_THAT(store_.indexCalls(), ElementsAre(1u));
  EXPECT_EQ(answeredAtIndex, 0u);  // indexed, then answered
  EXPECT_THAT(listener.groups(), ElementsAre(1u));
}

TEST_F(IntakeQueueTest, WhileGroupsWaitItAnswersFirstAndIndexesSeveralGroupsAtOnce) {
  RecordingListener listener;
  std::size_t answeredAtIndex = 99;
  std::int64_t unindexedAtIndex = -1;
  store_.onIndex = [&] {
    answeredAtIndex = done_.count();
    unindexedAtIndex = metrics_.intakeUnindexed.value();
  };
  start(100, 256, &listener, std::chrono::hours(1));
  ASSERT_NO_FATAL_FAILURE(occupyWriter("first"));
  for (const char* id : {"q1", "q2"}) submitOk(id);
  store_.release();
  ASSERT_TRUE(done_.waitFor(3));
  // "first" was answered while q1 and q2 waited, unindexed; the group after it found nobody
  // waiting and indexed all three in one go before answering.
  EXPECT_THAT(store_.batches(), ElementsAre(ElementsAre("first"), ElementsAre("q1", "q2")));
  EXPECT_THAT(store_.indexCalls(), ElementsAre(3u));
  EXPECT_EQ(answeredAtIndex, 1u);
  EXPECT_EQ(unindexedAtIndex, 3);  // the gauge counted them while they waited
  ASSERT_TRUE(eventually([&] { return metrics_.intakeUnindexed.value() == 0; }));
  // The pipeline hears the largest group made durable at once (how busy intake is), not the sum.
  EXPECT_THAT(listener.groups(), ElementsAre(2u));
}

TEST_F(IntakeQueueTest, UnderLoadItIndexesOnceIndexRowsWaitOrIndexEveryHasPassed) {
  {
    SCOPED_TRACE("indexRows");
    start(100, 1, nullptr, std::chrono::hours(1), 2);  // groups of one
    ASSERT_NO_FATAL_FAILURE(occupyWriter("first"));
    for (const char* id : {"q1", "q2"}) submitOk(id);
    store_.release();
    ASSERT_TRUE(done_.waitFor(3));
    // first: others wait, 1 unindexed; q1: others wait, 2 = indexRows; q2: idle.
    EXPECT_THAT(store_.indexCalls(), ElementsAre(2u, 1u));
    queue_.reset();
  }
  {
    SCOPED_TRACE("indexEvery");
    FakeStore store;
    Completions done;
    IntakeQueue queue(store, IntakeQueue::Options{100, 1, nullptr, std::chrono::milliseconds(0), 1000}, metrics_);
    store.block();
    ASSERT_TRUE(queue.submit(delivery("first"), done.track("first")).has_value());
    ASSERT_TRUE(store.waitForBatches(1));
    ASSERT_TRUE(queue.submit(delivery("q1"), done.track("q1")).has_value());
    store.release();
    ASSERT_TRUE(done.waitFor(2));
    // first: q1 waits, but indexEvery (0) has passed: indexed after answering; q1: idle.
    EXPECT_THAT(store.indexCalls(), ElementsAre(1u, 1u));
  }
}

TEST_F(IntakeQueueTest, AStoreThatIndexesAsItAppendsHasThePipelineToldOfEachGroupAtOnce) {
  RecordingListener listener;
  store_.indexOnAppend();
  start(100, 256, &listener, std::chrono::hours(1));
  ASSERT_NO_FATAL_FAILURE(occupyWriter("first"));
  for (const char* id : {"q1", "q2"}) submitOk(id);
  store_.release();
  ASSERT_TRUE(done_.waitFor(3));
  // "first" was answered while q1 and q2 waited: nothing to defer, so the pipeline heard of it
  // then, not an hour later with the next group.
  ASSERT_TRUE(eventually([&] { return listener.groups().size() == 2; }));
  EXPECT_THAT(listener.groups(), ElementsAre(1u, 2u));
  EXPECT_EQ(metrics_.intakeUnindexed.value(), 0);
}

TEST_F(IntakeQueueTest, AFailedIndexIsAnsweredAllTheSameAndTriedAgainAfterIndexEvery) {
  RecordingListener listener;
  start(100, 256, &listener, 20ms);
  store_.failIndexing(1);
  submitOk("a");
  ASSERT_TRUE(done_.waitFor(1));
  expectInserted("a");  // durable, so acknowledged, whatever indexing does
  ASSERT_TRUE(store_.waitForIndexCalls(2)) << "a failed index was not tried again";
  EXPECT_THAT(store_.indexCalls(), ElementsAre(1u, 1u));
  ASSERT_TRUE(eventually([&] { return !listener.groups().empty(); }));
  EXPECT_THAT(listener.groups(), ElementsAre(1u));  // told once, when indexed
}

TEST_F(IntakeQueueTest, AfterAFailedIndexGroupsDoNotEachTryAgain) {
  start(100, 256, nullptr, std::chrono::hours(1), 1);  // every group would be due for indexing
  store_.failIndexing(100);
  submitOk("a");  // idle: indexed before answering, which fails
  ASSERT_TRUE(done_.waitFor(1));
  submitOk("b");  // idle too, but the last attempt failed less than indexEvery ago
  ASSERT_TRUE(done_.waitFor(2));
  expectInserted("b");
  EXPECT_THAT(store_.indexCalls(), ElementsAre(1u));
  queue_->stop();  // stopping tries once more, whatever the time
  EXPECT_THAT(store_.indexCalls(), ElementsAre(1u, 2u));
}

TEST_F(IntakeQueueTest, AfterASlowFailedIndexTheNextAttemptWaitsIndexEveryFromItsEnd) {
  std::vector<std::chrono::steady_clock::time_point> began;  // written on the writer thread only
  std::mutex beganMutex;
  store_.onIndex = [&] {
    {
      std::lock_guard lock(beganMutex);
      began.push_back(std::chrono::steady_clock::now());
    }
    std::this_thread::sleep_for(30ms);  // an attempt slower than indexEvery (a busy timeout)
  };
  start(100, 256, nullptr, 20ms);
  store_.failIndexing(1);
  submitOk("a");
  ASSERT_TRUE(store_.waitForIndexCalls(2));
  std::lock_guard lock(beganMutex);
  ASSERT_GE(began.size(), 2u);
  // 30 ms of failing attempt, then indexEvery (20 ms) from its end, not from its start.
  EXPECT_GE(began[1] - began[0], 50ms);
}

TEST_F(IntakeQueueTest, StopIndexesWhatAFailedIndexLeftPending) {
  RecordingListener listener;
  start(100, 256, &listener, std::chrono::hours(1));
  store_.failIndexing(1);
  submitOk("a");
  ASSERT_TRUE(done_.waitFor(1));
  ASSERT_TRUE(store_.waitForIndexCalls(1));
  EXPECT_TRUE(listener.groups().empty());
  queue_->stop();
  EXPECT_THAT(store_.indexCalls(), ElementsAre(1u, 1u));
  EXPECT_THAT(listener.groups(), ElementsAre(1u));
}

}  // namespace
}  // namespace forgehook::store
