// The store's side of the queue contract; how the Processor drives it (backoff, dead letters of
// refused records, crash before commit) is tested in tests/unit/pipeline/processor_test.cc.
#include "store/sqlite/processing_queue.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ProcessingQueueTest : public SqliteModelTest {
 protected:
  std::vector<std::int64_t> due(std::int64_t nowMicros, int max = 100) {
    std::vector<std::int64_t> out;
    auto rows = store_->queue.dueForProcessing(max, nowMicros, 0);
    EXPECT_TRUE(rows.has_value()) << rows.error().message;
    if (rows)
      for (const auto& d : *rows) out.push_back(d.id);
    return out;
  }
  std::string status(std::int64_t id) {
    auto d = store_->log.getDelivery(id);
    return d ? d->status : "<" + d.error().message + ">";
  }
  void finish(std::vector<ProcessedDelivery> done, std::vector<FailedDelivery> failed) {
    const auto dead = store_->queue.finishProcessing(done, failed, kT0);
    ASSERT_TRUE(dead.has_value()) << dead.error().message;
    EXPECT_EQ(dead->deadLettered, 0);
  }
};

ProcessedDelivery processed(std::int64_t id, std::vector<EntityWrite> writes = {},
                            std::vector<IncidentScope> scopes = {}) {
  ProcessedDelivery p;
  p.id = id;
  p.writes = std::move(writes);
  p.incidentScopes = std::move(scopes);
  p.activity.at = kT0Seconds;
  p.activity.forge = "github";
  p.activity.kind = "issues";
  return p;
}

TEST_F(ProcessingQueueTest, DueIsOldestFirstUpToMaxAndWaitsForTheRetryTime) {
  // Ids follow arrival; received times deliberately do not.
  const auto a = appendOne(*store_, delivery("github", "h", "a", kT0 + 2 * kSecond));
  const auto b = appendOne(*store_, delivery("github", "h", "b", kT0));
  const auto c = appendOne(*store_, delivery("gitlab", "h", "c", kT0 + kSecond, "push", "group/project"));
  EXPECT_THAT(due(kT0), ElementsAre(a, b, c));
  EXPECT_THAT(due(kT0, 2), ElementsAre(a, b));

  ASSERT_NO_FATAL_FAILURE(finish({}, {{a, "boom", kT0 + 60 * kSecond}}));
  EXPECT_THAT(due(kT0), ElementsAre(b, c));
  EXPECT_THAT(due(kT0 + 60 * kSecond - 1), ElementsAre(b, c));
  EXPECT_THAT(due(kT0 + 60 * kSecond), ElementsAre(a, b, c));  // due at its retry time, still first

  const auto rows = store_->queue.dueForProcessing(10, kT0 + 60 * kSecond, 0);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  const QueuedDelivery& retried = (*rows)[0];
  EXPECT_EQ(retried.processAttempts, 1);
  EXPECT_EQ(retried.receivedAt, kT0 + 2 * kSecond);
  const QueuedDelivery& gitlab = (*rows)[2];
  EXPECT_EQ(gitlab.forge, "gitlab");
  EXPECT_EQ(gitlab.event, "push");
  EXPECT_EQ(gitlab.action, "opened");
  EXPECT_EQ(gitlab.repository, "group/project");
  EXPECT_EQ(gitlab.sender, "Codertocat");
  EXPECT_EQ(gitlab.contentType, "application/json");
  EXPECT_EQ(gitlab.processAttempts, 0);
  EXPECT_EQ(gitlab.rawBody, delivery("gitlab", "h", "c").body);
  EXPECT_TRUE(gitlab.loadError.empty());
}

TEST_F(ProcessingQueueTest, FinishMarksProcessedRetryingAndDead) {
  const auto a = appendOne(*store_, delivery("github", "h", "a"));
  const auto b = appendOne(*store_, delivery("github", "h", "b"));
  const auto c = appendOne(*store_, delivery("github", "h", "c"));
  ASSERT_NO_FATAL_FAILURE(finish({processed(a)}, {{b, "try later", kT0 + kSecond}, {c, "never", std::nullopt}}));
  EXPECT_EQ(status(a), "processed");
  EXPECT_EQ(status(b), "retrying");
  EXPECT_EQ(status(c), "dead");
  EXPECT_EQ(count(Resource::Activity), 1u);  // the processed one's line
  // Neither processed nor dead deliveries come due again, however late.
  EXPECT_THAT(due(kT0 + 365 * kDay * kSecond), ElementsAre(b));

  // A retry that fails for good is dead; one that succeeds is processed.
  ASSERT_NO_FATAL_FAILURE(finish({}, {{b, "still failing", std::nullopt}}));
  EXPECT_EQ(status(b), "dead");
  EXPECT_THAT(due(kT0 + 365 * kDay * kSecond), IsEmpty());
}

ProcessedDelivery keyed(std::int64_t id, const std::string& source, std::vector<EntityWrite> writes = {}) {
  ProcessedDelivery p = processed(id, std::move(writes));
  p.forge = "github";
  p.source = source;
  p.eventKey = "pull_request:1:2:opened:2019-05-15T15:20:33Z";
  return p;
}

TEST_F(ProcessingQueueTest, AKeyClaimedByOneSourceMakesTheOthersCopyADuplicate) {
  const auto hook = appendOne(*store_, delivery("github", "h", "a"));
  const auto poll = appendOne(*store_, delivery("github", "events-api", "event-1"));
  const auto hookAgain = appendOne(*store_, delivery("github", "h", "b"));
  const auto finished = store_->queue.finishProcessing(
      std::vector{keyed(hook, "webhook"), keyed(poll, "poll"), keyed(hookAgain, "webhook")}, {}, kT0);
  ASSERT_TRUE(finished.has_value()) << finished.error().message;
  EXPECT_EQ(finished->duplicates, 1);
  EXPECT_EQ(finished->deadLettered, 0);
  EXPECT_EQ(status(hook), "processed");
  EXPECT_EQ(status(poll), "duplicate");
  EXPECT_EQ(status(hookAgain), "processed");  // the same source: the forge's own second event
  EXPECT_EQ(count(Resource::Activity), 2u);
  EXPECT_THAT(due(kT0 + kDay * kSecond), IsEmpty());
}

TEST_F(ProcessingQueueTest, ADeadLetteredDeliveryLeavesItsKeyUnclaimed) {
  const auto refused = appendOne(*store_, delivery("github", "h", "a"));
  const auto poll = appendOne(*store_, delivery("github", "events-api", "event-1"));
  const auto first = store_->queue.finishProcessing(
      std::vector{keyed(refused, "webhook", {row("no_such_table", {{"k", "v"}}, {})})}, {}, kT0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->deadLettered, 1);
  const auto second = store_->queue.finishProcessing(std::vector{keyed(poll, "poll")}, {}, kT0);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->duplicates, 0);
  EXPECT_EQ(status(poll), "processed");  // nothing of the event was applied before: now it is
}

TEST_F(ProcessingQueueTest, RequeueQueuesWhatTheFilterMatchesAndCountsIt) {
  const auto a = appendOne(*store_, delivery("github", "h", "a", kT0, "issues"));
  const auto b = appendOne(*store_, delivery("github", "h", "b", kT0, "issues", "octo-org/other"));
  const auto c = appendOne(*store_, delivery("github", "h", "c", kT0, "push"));
  const auto d = appendOne(*store_, delivery("gitlab", "h", "d", kT0, "issues"));
  ASSERT_NO_FATAL_FAILURE(finish({processed(a), processed(b), processed(c)}, {{d, "bad", std::nullopt}}));
  ASSERT_THAT(due(kT0), IsEmpty());

  auto requeue = [&](const std::function<void(DeliveryFilter&)>& edit) {
    DeliveryFilter f;
    edit(f);
    auto n = store_->queue.requeue(f, 0);
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n.value_or(-1);
  };
  EXPECT_EQ(requeue([](auto& f) {
              f.forge = "github";
              f.event = "issues";
            }),
            2);
  EXPECT_THAT(due(kT0), ElementsAre(a, b));
  EXPECT_EQ(status(a), "queued");
  EXPECT_EQ(status(c), "processed");

  EXPECT_EQ(requeue([](auto& f) { f.status = "dead"; }), 1);
  EXPECT_THAT(due(kT0), ElementsAre(a, b, d));
  const auto revived = store_->queue.dueForProcessing(10, kT0, 0);
  ASSERT_TRUE(revived.has_value());
  EXPECT_EQ(revived->back().processAttempts, 0);  // a replay starts its attempts again

  EXPECT_EQ(requeue([&](auto& f) { f.id = c; }), 1);
  EXPECT_EQ(requeue([](auto& f) { f.event = "no_such_event"; }), 0);
  EXPECT_EQ(requeue([](auto& f) { f.id = 999; }), 0);
  EXPECT_THAT(due(kT0), ElementsAre(a, b, c, d));
}

TEST_F(ProcessingQueueTest, RebuildEmptiesProjectionsButKeepsItemsAndIncidentAcks) {
  const auto id = appendOne(*store_, delivery("github", "h", "a"));
  const auto records = processed(id,
                                 {repositoryRow("1", "Codertocat/Hello-World"), pullRow({.number = 7}),
                                  issueRow({.number = 42}), runRow("1", "100", "failure", kT0Seconds, kT0Seconds)},
                                 {ciOnMain("1")});
  ASSERT_NO_FATAL_FAILURE(finish({records}, {}));
  appendOne(*store_, delivery("github", "h", "b"));  // still queued: rebuild counts it too
  ItemInput item;
  item.title = "Sprint board";
  ASSERT_TRUE(store_->planning.createItem(item, kT0Seconds));
  ResourceQuery incidents;
  incidents.resource = Resource::Incidents;
  const auto incident = json::parse(store_->reader.listResource(incidents)->items.at(0));
  ASSERT_TRUE(store_->planning.acknowledgeIncident(incident["id"].get<std::int64_t>(), "bob", "on it", kT0Seconds));

  const auto queued = store_->queue.rebuildProjections(0);
  ASSERT_TRUE(queued.has_value()) << queued.error().message;
  EXPECT_EQ(queued->queued, 2);
  EXPECT_EQ(queued->pruned, 0);
  for (const Resource r : {Resource::Pulls, Resource::Issues, Resource::Runs, Resource::Incidents,
                           Resource::Repositories, Resource::Activity})
    EXPECT_EQ(count(r), 0u) << specOf(r).name;
  EXPECT_EQ(count(Resource::Items), 1u);
  EXPECT_EQ(status(id), "queued");
  EXPECT_THAT(due(kT0), ElementsAre(id, id + 1));

  // Processing again finds the acknowledgement of the incident it recreates.
  ASSERT_NO_FATAL_FAILURE(finish({records}, {}));
  const auto again = json::parse(store_->reader.listResource(incidents)->items.at(0));
  EXPECT_EQ(again["acknowledged"]["by"], "bob");
  EXPECT_EQ(again["acknowledged"]["note"], "on it");
  EXPECT_EQ(count(Resource::Pulls), 1u);
}

}  // namespace
}  // namespace forgehook::store::sqlite

namespace forgehook::store::sqlite {
namespace {

// A rebuild of 10 deliveries in chunks of 4: what is queued follows processing.
class ChunkedRebuildTest : public ProcessingQueueTest {
 protected:
  void SetUp() override {
    ProcessingQueueTest::SetUp();
    for (int i = 1; i <= 10; ++i) {
      std::string guid = "d";  // appended: GCC 12 warns falsely (-Wrestrict) on "d" + std::to_string(i)
      guid += std::to_string(i);
      appendOne(*store_, delivery("github", "h", guid));
    }
    std::vector<ProcessedDelivery> all;
    for (std::int64_t id = 1; id <= 10; ++id) all.push_back(processed(id));
    ASSERT_NO_FATAL_FAILURE(finish(all, {}));
    ASSERT_TRUE(due(kT0).empty());
  }
  // The rebuild's progress row: {queued_through, last_id}, or {} when none is in progress.
  std::vector<std::int64_t> progress() {
    std::vector<std::int64_t> out;
    auto read = store_->db.read<void>([&](sqlite3* db) -> core::Result<void> {
      Statement s(db, "SELECT queued_through, last_id FROM rebuild_progress");
      if (s.step() == SQLITE_ROW) out = {s.integer(0), s.integer(1)};
      return {};
    });
    EXPECT_TRUE(read.has_value());
    return out;
  }
  void finishWith(SqliteProcessingQueue& queue, std::vector<std::int64_t> ids) {
    std::vector<ProcessedDelivery> done;
    for (const auto id : ids) done.push_back(processed(id));
    const auto result = queue.finishProcessing(done, {}, kT0);
    ASSERT_TRUE(result.has_value()) << result.error().message;
  }
};

TEST_F(ChunkedRebuildTest, OnlyTheFirstChunkIsQueuedAtOnceAndTheNextBeforeTheBacklogRunsDry) {
  SqliteProcessingQueue queue(store_->db, store_->changes, 4);
  const auto outcome = queue.rebuildProjections(kT0);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->queued, 10);  // all of them, though four are queued so far
  EXPECT_THAT(due(kT0), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(progress(), ElementsAre(4, 10));
  // The backlog counts what is still to be queued too: the four queued and the six after them.
  auto backlog = [&] { return store_->metrics.statusCounts(std::nullopt, 0).value_or(StatusCounts{}).queued; };
  EXPECT_EQ(backlog(), 10);

  // Low water is half a chunk: three still due after 1 is enough, one after 2 and 3 is not.
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1}));
  EXPECT_THAT(due(kT0), ElementsAre(2, 3, 4));
  EXPECT_EQ(backlog(), 9);
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {2, 3}));
  EXPECT_THAT(due(kT0), ElementsAre(4, 5, 6, 7, 8));
  EXPECT_THAT(progress(), ElementsAre(8, 10));
  // The last chunk is queued with the commit that empties the backlog: it never reads 0 midway.
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {4, 5, 6, 7, 8}));
  EXPECT_THAT(due(kT0), ElementsAre(9, 10));
  EXPECT_THAT(progress(), IsEmpty());
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {9, 10}));
  EXPECT_TRUE(due(kT0).empty());
  for (std::int64_t id = 1; id <= 10; ++id) EXPECT_EQ(status(id), "processed") << id;
}

TEST_F(ChunkedRebuildTest, AfterARestartTheRebuildGoesOnFromWhereItWas) {
  {
    SqliteProcessingQueue queue(store_->db, store_->changes, 4);
    ASSERT_TRUE(queue.rebuildProjections(kT0).has_value());
    ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1, 2, 3}));
  }
  const auto seqBefore = store_->feed.newestSeq();
  ASSERT_TRUE(seqBefore.has_value());
  store_.reset();
  store_ = open();
  EXPECT_THAT(progress(), ElementsAre(8, 10));
  // What it processes from here is not recorded: readers refetch at a reset point taken at start.
  ChangeQuery q;
  q.after = *seqBefore;
  const auto resumed = store_->feed.read(q);
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->resetAt, *seqBefore + 1);
  SqliteProcessingQueue queue(store_->db, store_->changes, 4);
  EXPECT_THAT(due(kT0), ElementsAre(4, 5, 6, 7, 8));
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {4, 5, 6, 7}));
  EXPECT_THAT(due(kT0), ElementsAre(8, 9, 10));
  EXPECT_THAT(progress(), IsEmpty());
}

TEST_F(ChunkedRebuildTest, DeliveriesReceivedDuringTheRebuildAreDueAfterIt) {
  SqliteProcessingQueue queue(store_->db, store_->changes, 4);
  ASSERT_TRUE(queue.rebuildProjections(kT0).has_value());
  const auto late = appendOne(*store_, delivery("github", "h", "late"));
  EXPECT_THAT(due(kT0), ElementsAre(1, 2, 3, 4));  // not 11: a batch is not filled up with it
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1, 2, 3, 4}));
  EXPECT_THAT(due(kT0), ElementsAre(5, 6, 7, 8));
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {5, 6, 7, 8}));
  EXPECT_THAT(due(kT0), ElementsAre(9, 10, late));  // the rebuild queued its last chunk: done
}

TEST_F(ChunkedRebuildTest, AStretchOfPrunedDeliveriesIsSkippedToTheNextWithABody) {
  // Bodies of 2 to 8 pruned (as retention does, by the column it sets).
  ASSERT_TRUE(store_->db.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "UPDATE deliveries SET body_pruned_at = 1 WHERE id BETWEEN 2 AND 8"), SQLITE_OK);
    return {};
  }));
  SqliteProcessingQueue queue(store_->db, store_->changes, 2);
  const auto outcome = queue.rebuildProjections(kT0);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->queued, 3);
  EXPECT_EQ(outcome->pruned, 7);
  EXPECT_THAT(due(kT0), ElementsAre(1));
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1}));
  EXPECT_THAT(due(kT0), ElementsAre(9, 10));  // not a chunk of nothing at 3..4, 5..6, 7..8
  EXPECT_THAT(progress(), IsEmpty());
}

TEST_F(ChunkedRebuildTest, ReplayingEverythingQueuesInChunksOverTheKeptProjections) {
  auto activityLines = [&] { return rowCount(store_->db, "activity"); };
  ASSERT_EQ(activityLines(), 10);
  const auto before = store_->feed.newestSeq();
  ASSERT_TRUE(before.has_value());
  SqliteProcessingQueue queue(store_->db, store_->changes, 4);
  EXPECT_EQ(queue.replayAll(kT0).value_or(-1), 10);  // all of them, though four are queued so far
  EXPECT_EQ(activityLines(), 10);                    // kept, not emptied
  EXPECT_THAT(due(kT0), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(progress(), ElementsAre(4, 10));
  ChangeQuery q;
  q.after = *before;
  const auto page = store_->feed.read(q);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->resetAt, *before + 1);  // no record per delivery queued: a reset point
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1, 2, 3, 4}));
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {5, 6, 7, 8}));
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {9, 10}));
  EXPECT_TRUE(due(kT0).empty());
  EXPECT_EQ(activityLines(), 10);
  for (std::int64_t id = 1; id <= 10; ++id) EXPECT_EQ(status(id), "processed") << id;
}

TEST_F(ChunkedRebuildTest, ReplayingEverythingWithEveryBodyPrunedChangesNothingAndResetsNobody) {
  ASSERT_TRUE(store_->db.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "UPDATE deliveries SET body_pruned_at = 1"), SQLITE_OK);
    return {};
  }));
  const auto before = store_->feed.newestSeq();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(store_->queue.replayAll(kT0).value_or(-1), 0);
  EXPECT_EQ(store_->feed.newestSeq().value_or(-1), *before);
  EXPECT_THAT(progress(), IsEmpty());
  EXPECT_TRUE(due(kT0).empty());
}

TEST_F(ChunkedRebuildTest, TheFeedResetsAtTheStartAndAtTheLastChunkAndRecordsNothingInBetween) {
  const auto before = store_->feed.newestSeq();
  ASSERT_TRUE(before.has_value());
  SqliteProcessingQueue queue(store_->db, store_->changes, 4);
  ASSERT_TRUE(queue.rebuildProjections(kT0).has_value());
  auto page = [&](std::int64_t after) {
    ChangeQuery q;
    q.after = after;
    auto read = store_->feed.read(q);
    EXPECT_TRUE(read.has_value());
    return read.value_or(ChangePage{});
  };
  const auto started = page(*before);
  EXPECT_EQ(started.resetAt, *before + 1);
  EXPECT_THAT(started.changes, IsEmpty());
  // Processing while chunks are still to be queued records neither rows (each processed() writes an
  // activity line) nor statuses.
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {1, 2, 3}));
  EXPECT_THAT(page(*before + 1).changes, IsEmpty());
  EXPECT_EQ(page(*before + 1).newestSeq, *before + 1);
  // The commit that queues the last chunk takes the second reset point.
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {4, 5, 6, 7, 8}));
  EXPECT_THAT(progress(), IsEmpty());
  const auto finished = page(*before + 1);
  EXPECT_EQ(finished.resetAt, *before + 2);
  EXPECT_THAT(finished.changes, IsEmpty());
  // What is processed after it is recorded as usual.
  ASSERT_NO_FATAL_FAILURE(finishWith(queue, {9, 10}));
  const auto after = page(*before + 2);
  EXPECT_FALSE(after.reset);
  std::vector<std::string> processedIds;
  for (const auto& c : after.changes)
    if (c.resource == "deliveries" && nlohmann::json::parse(c.dataJson)["status"] == "processed")
      processedIds.push_back(c.id);
  EXPECT_THAT(processedIds, ElementsAre("9", "10"));
}

}  // namespace
}  // namespace forgehook::store::sqlite
