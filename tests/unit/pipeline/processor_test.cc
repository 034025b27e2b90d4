#include "pipeline/processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "support/scenario_world.h"

namespace forgehook::pipeline {
namespace {

using testing::ScenarioWorld;

std::vector<store::DeliverySummary> withStatus(store::DeliveryLog& s, const std::string& status) {
  store::DeliveryFilter f;
  f.status = status;
  return s.listDeliveries(f)->deliveries;
}

class ProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override { world_.receive({{"github", "ping", "p1", testing::example("ping")}}); }
  Processor failingProcessor(int* calls, int failures) {
    RetryPolicy retry{3, 1'000'000, 60'000'000, [] { return 0.5; }};
    return Processor(world_.queue(), world_.clock(), metrics_, {16, retry},
                     [calls, failures](const store::QueuedDelivery& d) {
                       if (++*calls <= failures)
                         return core::Result<store::ProcessedDelivery>(std::unexpected(core::Error::internal("boom")));
                       return core::Result<store::ProcessedDelivery>(testing::minimalRecords(d));
                     });
  }
  ScenarioWorld world_;
  core::Metrics metrics_;
};

TEST_F(ProcessorTest, FailureIsRetriedWithBackoffThenSucceeds) {
  int calls = 0;
  auto processor = failingProcessor(&calls, 2);
  auto step = processor.step();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->failed, 1);
  ASSERT_EQ(withStatus(world_.deliveries(), "retrying").size(), 1u);
  // First delay: base 1 s scaled into [0.5 s, 1 s); jitter 0.5 gives 0.75 s. Not due before that.
  world_.clock().advanceMicros(740'000);
  EXPECT_EQ(processor.step()->total(), 0);
  world_.clock().advanceMicros(20'000);
  EXPECT_EQ(processor.step()->failed, 1);
  // Second delay doubles: 1.5 s.
  world_.clock().advanceMicros(1'490'000);
  EXPECT_EQ(processor.step()->total(), 0);
  world_.clock().advanceMicros(20'000);
  EXPECT_EQ(processor.step()->processed, 1);
  EXPECT_EQ(withStatus(world_.deliveries(), "processed").size(), 1u);
  EXPECT_EQ(calls, 3);
}

TEST_F(ProcessorTest, AfterMaxAttemptsTheDeliveryIsDeadWithItsErrorAndReplayRevivesIt) {
  int calls = 0;
  auto processor = failingProcessor(&calls, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(processor.step()->failed, 1);
    world_.clock().advanceSeconds(10);
  }
  const auto dead = withStatus(world_.deliveries(), "dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(world_.lastError(dead[0].id), "boom");
  EXPECT_EQ(processor.step()->total(), 0);  // the dead letter is never picked up by itself
  store::DeliveryFilter one;
  one.id = dead[0].id;
  ASSERT_EQ(*world_.queue().requeue(one, 0), 1);
  EXPECT_EQ(processor.step()->processed, 1);
  EXPECT_EQ(world_.list("activity").size(), 1u);
}

TEST_F(ProcessorTest, AThrowingNormalizerCountsAsAFailureNotACrash) {
  Processor processor(world_.queue(), world_.clock(), metrics_, {16, {}},
                      [](const store::QueuedDelivery&) -> core::Result<store::ProcessedDelivery> {
                        throw std::runtime_error("bad payload shape");
                      });
  EXPECT_EQ(processor.step()->failed, 1);
  EXPECT_EQ(withStatus(world_.deliveries(), "retrying").size(), 1u);
}

TEST_F(ProcessorTest, RecordsTheStoreRefusesDeadLetterThatDeliveryAloneAndCountAsFailed) {
  world_.receive({{"github", "ping", "p2", testing::example("ping")}});
  // Delivery p1 maps to a column the schema does not have; p2 maps to nothing unusual.
  Processor processor(world_.queue(), world_.clock(), metrics_, {16, {}}, [](const store::QueuedDelivery& d) {
    auto records = testing::minimalRecords(d);
    if (d.id == 1)
      records.writes.push_back(
          {"pulls", {{"forge", std::string("github")}}, {{"no_such_column", std::int64_t{1}}}, 0, {}});
    return core::Result<store::ProcessedDelivery>(records);
  });
  const auto step = processor.step();
  ASSERT_TRUE(step) << step.error().message;
  EXPECT_EQ(step->processed, 1);
  EXPECT_EQ(step->failed, 1);
  const auto dead = withStatus(world_.deliveries(), "dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, 1);
  EXPECT_THAT(world_.lastError(1), ::testing::HasSubstr("no_such_column"));
  EXPECT_EQ(world_.list("activity").size(), 1u);  // p2's line only: p1's records were undone
  EXPECT_EQ(metrics_.processed.with({"dead"}).value(), 1u);
  EXPECT_EQ(metrics_.processed.with({"processed"}).value(), 1u);
}

TEST_F(ProcessorTest, WorkReadButNeverCommittedIsDueAgain) {
  // What a kill -9 between reading and committing leaves behind: nothing applied, still due.
  auto due = world_.queue().dueForProcessing(10, world_.clock().nowMicros(), 0);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(world_.queue().dueForProcessing(10, world_.clock().nowMicros(), 0)->size(), 1u);
  EXPECT_TRUE(world_.list("activity").empty());
  EXPECT_EQ(world_.process().processed, 1);
  EXPECT_EQ(world_.list("activity").size(), 1u);
  EXPECT_EQ(world_.process().total(), 0);
}

// Passes everything to the real queue, but refuses the first `failures` commits as a full store would.
class RefusingQueue final : public store::ProcessingQueue {
 public:
  RefusingQueue(store::ProcessingQueue& inner, int failures) : inner_(inner), failures_(failures) {}
  core::Result<std::vector<store::QueuedDelivery>> dueForProcessing(int max, std::int64_t now,
                                                                     std::int64_t afterId) override {
    return inner_.dueForProcessing(max, now, afterId);
  }
  core::Result<store::FinishedBatch> finishProcessing(std::span<const store::ProcessedDelivery> done,
                                                      std::span<const store::FailedDelivery> failed,
                                                      std::int64_t now) override {
    std::vector<std::int64_t> ids;
    for (const auto& d : done) ids.push_back(d.id);
    commits.push_back(ids);
    if (failures_-- > 0) return std::unexpected(core::Error::unavailable("store_full", "no room left", 30));
    return inner_.finishProcessing(done, failed, now);
  }
  core::Result<std::int64_t> requeue(const store::DeliveryFilter& f, std::int64_t now) override {
    return inner_.requeue(f, now);
  }
  core::Result<store::RebuildOutcome> rebuildProjections(std::int64_t now) override {
    return inner_.rebuildProjections(now);
  }
  core::Result<std::int64_t> replayAll(std::int64_t now) override { return inner_.replayAll(now); }
  core::Result<std::int64_t> pruneEventKeys(std::int64_t cutoff, int maxRows) override {
    return inner_.pruneEventKeys(cutoff, maxRows);
  }
  std::vector<std::vector<std::int64_t>> commits;  // the ids of every commit asked for, in order

 private:
  store::ProcessingQueue& inner_;
  int failures_;
};

class PrefetchTest : public ProcessorTest {
 protected:
  void SetUp() override {
    std::vector<testing::Delivery> pings;
    for (int i = 1; i <= 20; ++i) pings.push_back({"github", "ping", "p" + std::to_string(i), testing::example("ping")});
    world_.receive(pings);
  }
  // Records which deliveries were normalized, in order, and on which thread.
  Normalizer recording() {
    return [this](const store::QueuedDelivery& d) {
      std::lock_guard lock(mutex_);
      normalized_.push_back(d.id);
      threads_.insert(std::this_thread::get_id());
      return core::Result<store::ProcessedDelivery>(testing::minimalRecords(d));
    };
  }
  static std::vector<std::int64_t> ids(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
  }
  std::mutex mutex_;
  std::vector<std::int64_t> normalized_;
  std::set<std::thread::id> threads_;
};

TEST_F(PrefetchTest, EveryDeliveryIsAppliedOnceInIdOrderWithTheNextBatchReadOnAHelperThread) {
  RefusingQueue queue(world_.queue(), 0);
  Processor processor(queue, world_.clock(), metrics_, {.batchSize = 8, .retry = {}, .prefetch = true}, recording());
  const auto total = processor.drain();
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(total->processed, 20);
  EXPECT_EQ(withStatus(world_.deliveries(), "processed").size(), 20u);
  EXPECT_EQ(world_.list("activity").size(), 20u);
  EXPECT_THAT(queue.commits, ::testing::ElementsAre(ids(1, 8), ids(9, 16), ids(17, 20)));
  EXPECT_EQ(normalized_, ids(1, 20));  // each once: a batch read ahead is never read again
  std::lock_guard lock(mutex_);
  EXPECT_EQ(threads_.size(), 2u) << "the batches after the first are normalized on the helper thread";
}

TEST_F(PrefetchTest, ABatchThatFailsToCommitComesFirstAgainAndTheBatchReadAfterItIsDropped) {
  RefusingQueue queue(world_.queue(), 1);
  Processor processor(queue, world_.clock(), metrics_, {.batchSize = 8, .retry = {}, .prefetch = true}, recording());
  const auto refused = processor.step();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "store_full");
  const auto total = processor.drain();
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(total->processed, 20);
  EXPECT_THAT(queue.commits, ::testing::ElementsAre(ids(1, 8), ids(1, 8), ids(9, 16), ids(17, 20)));
  EXPECT_EQ(withStatus(world_.deliveries(), "processed").size(), 20u);
}

TEST_F(PrefetchTest, StepsThatMayNotPrefetchReadNothingAhead) {
  Processor processor(world_.queue(), world_.clock(), metrics_, {.batchSize = 8, .retry = {}, .prefetch = true},
                      recording());
  int processed = 0;
  for (int i = 0; i < 5; ++i) processed += processor.step(0, /*mayPrefetch=*/false)->processed;
  EXPECT_EQ(processed, 20);
  EXPECT_EQ(normalized_, ids(1, 20));
  EXPECT_EQ(threads_, std::set{std::this_thread::get_id()}) << "what the worker asks while intake is active";
}

TEST_F(PrefetchTest, WithoutPrefetchNothingRunsOnAnotherThread) {
  Processor processor(world_.queue(), world_.clock(), metrics_, {.batchSize = 8, .retry = {}}, recording());
  ASSERT_EQ(processor.drain()->processed, 20);
  EXPECT_EQ(normalized_, ids(1, 20));
  EXPECT_EQ(threads_, std::set{std::this_thread::get_id()});
}

TEST(RetryPolicy, DelaysDoubleAreCappedAndEndInTheDeadLetter) {
  RetryPolicy p{4, 1'000'000, 3'000'000, [] { return 0.0; }};
  EXPECT_EQ(p.nextAttemptAt(1, 0), 500'000);
  EXPECT_EQ(p.nextAttemptAt(2, 0), 1'000'000);
  EXPECT_EQ(p.nextAttemptAt(3, 0), 1'500'000);  // 4 s capped at 3 s
  EXPECT_EQ(p.nextAttemptAt(4, 0), std::nullopt);
  p.jitter = [] { return 0.999; };
  EXPECT_LT(*p.nextAttemptAt(1, 0), 1'000'000);
  EXPECT_GT(*p.nextAttemptAt(1, 0), 990'000);
}

// A webhook delivery and the poller's copy of the same event (GitHub's own example payloads).
class EventDedupTest : public ::testing::Test {
 protected:
  static testing::Delivery webhook(const std::string& id, const testing::json& payload,
                                   const std::string& event = "pull_request") {
    return {"github", event, id, payload};
  }
  static testing::Delivery polled(const std::string& id, const testing::json& payload,
                                  const std::string& event = "pull_request") {
    return {"github", event, "event-" + id, payload, "poll"};
  }
  std::vector<std::string> statuses() {
    std::vector<std::string> out;
    const auto page = world_.deliveries().listDeliveries({});
    for (const auto& d : page->deliveries) {
      std::string line = d.source;
      line.append(" ").append(d.status);
      out.push_back(std::move(line));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::size_t activityLines() { return world_.list("activity").size(); }

  ScenarioWorld world_;
  const testing::json opened = testing::example("pull_request", "opened");
};

TEST_F(EventDedupTest, AWebhookAndItsPolledCopyInOneBatchAreAppliedOnce) {
  world_.receive({webhook("w1", opened), polled("1", opened)});
  const auto step = world_.process();
  EXPECT_EQ(step.processed, 1);
  EXPECT_EQ(step.duplicates, 1);
  EXPECT_EQ(activityLines(), 1u);
  EXPECT_THAT(statuses(), ::testing::ElementsAre("poll duplicate", "webhook processed"));
  EXPECT_EQ(world_.pipelineMetrics().processed.with({"duplicate"}).value(), 1u);
}

TEST_F(EventDedupTest, APolledEventThenItsWebhookInLaterBatchesAreAppliedOnce) {
  world_.receive({polled("1", opened)});
  EXPECT_EQ(world_.process().processed, 1);
  const auto afterPoll = world_.snapshot();
  const auto feedBefore = world_.changes().newestSeq();
  world_.receive({webhook("w1", opened)});
  EXPECT_EQ(world_.process().duplicates, 1);
  EXPECT_EQ(activityLines(), 1u);
  EXPECT_THAT(statuses(), ::testing::ElementsAre("poll processed", "webhook duplicate"));
  EXPECT_EQ(world_.snapshot(), afterPoll);  // no projection changed
  // The feed heard of the webhook delivery (created, then its status) and of nothing else.
  store::ChangeQuery after;
  after.after = *feedBefore;
  const auto changes = world_.changes().read(after);
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(changes->changes.size(), 2u);
  for (const auto& c : changes->changes) EXPECT_EQ(c.resource, "deliveries") << c.action;
}

TEST_F(EventDedupTest, TwoDeliveriesOfOneSourceWithTheSameKeyAreBothApplied) {
  world_.receive({webhook("w1", opened), webhook("w2", opened), polled("1", opened), polled("2", opened)});
  const auto step = world_.process();
  EXPECT_EQ(step.processed, 2);
  EXPECT_EQ(step.duplicates, 2);
  EXPECT_EQ(activityLines(), 2u);
  EXPECT_THAT(statuses(),
              ::testing::ElementsAre("poll duplicate", "poll duplicate", "webhook processed", "webhook processed"));
}

TEST_F(EventDedupTest, DifferentEventsOfOneItemAreNotDuplicates) {
  auto closed = testing::example("pull_request", "closed");
  world_.receive({webhook("w1", opened), polled("2", closed)});
  EXPECT_EQ(world_.process().processed, 2);
  EXPECT_EQ(activityLines(), 2u);
}

TEST_F(EventDedupTest, EventsWithoutAKeyAreNeverDeduplicated) {
  const auto star = testing::example("star", "created");
  world_.receive({webhook("w1", star, "star"), polled("1", star, "star")});
  const auto step = world_.process();
  EXPECT_EQ(step.processed, 2);
  EXPECT_EQ(step.duplicates, 0);
}

TEST_F(EventDedupTest, ReplayAndRebuildKeepOneCopyApplied) {
  world_.receive({webhook("w1", opened), polled("1", opened)});
  world_.process();
  store::DeliveryFilter all;
  all.forge = "github";
  ASSERT_EQ(*world_.queue().requeue(all, world_.clock().nowMicros()), 2);
  const auto replayed = world_.process();
  EXPECT_EQ(replayed.processed, 1);
  EXPECT_EQ(replayed.duplicates, 1);
  EXPECT_THAT(statuses(), ::testing::ElementsAre("poll duplicate", "webhook processed"));

  ASSERT_EQ(world_.queue().rebuildProjections(world_.clock().nowMicros())->queued, 2);
  const auto rebuilt = world_.process();
  EXPECT_EQ(rebuilt.processed, 1);
  EXPECT_EQ(rebuilt.duplicates, 1);
  EXPECT_EQ(activityLines(), 1u);
  EXPECT_THAT(statuses(), ::testing::ElementsAre("poll duplicate", "webhook processed"));
}

TEST_F(EventDedupTest, PrunedKeysAreForgottenOnlyPastTheCutoff) {
  world_.receive({webhook("w1", opened)});
  world_.process();
  const auto appliedAt = world_.clock().nowMicros();
  EXPECT_EQ(*world_.queue().pruneEventKeys(appliedAt, 1000), 0);  // not older than the cutoff
  world_.receive({polled("1", opened)});
  EXPECT_EQ(world_.process().duplicates, 1);
  EXPECT_EQ(*world_.queue().pruneEventKeys(appliedAt + 1, 1000), 1);
  world_.receive({polled("2", opened)});
  EXPECT_EQ(world_.process().processed, 1);  // past the retention the copy is applied again
}

}  // namespace
}  // namespace forgehook::pipeline
