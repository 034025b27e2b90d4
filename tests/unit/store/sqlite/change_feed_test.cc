// The change feed on SQLite: reading (filters, limits, paging), pruning (by count and age, in
// batches, the newest kept, reset), seqs that never repeat, and the records of deliveries' statuses
// committed with the statuses or not at all. What the model's writes record is in
// change_recorder_test.cc.
#include "store/sqlite/change_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/changes.h"
#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using nlohmann::json;
using testing::changesAfter;
using ::testing::ElementsAre;
using testing::expectConsecutive;
using ::testing::IsEmpty;
using testing::kinds;

constexpr std::int64_t kNoAgeLimit = std::int64_t{1} << 60;

class ChangeFeedTest : public SqliteModelTest {
 protected:
  std::vector<Change> all(std::int64_t after = 0) { return changesAfter(store_->feed, after); }
  std::int64_t newest() { return store_->feed.newestSeq().value_or(-1); }
  ChangePage read(ChangeQuery q) {
    auto page = store_->feed.read(q);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page.value_or(ChangePage{});
  }
  static std::vector<std::int64_t> seqs(const std::vector<Change>& changes) {
    std::vector<std::int64_t> out;
    for (const auto& c : changes) out.push_back(c.seq);
    return out;
  }
  // `n` new deliveries, the i-th received at kT0 + i seconds: one "created" change each.
  void receive(int n) {
    std::vector<NewDelivery> batch;
    for (int i = 0; i < n; ++i)
      batch.push_back(delivery("github", "h", std::to_string(received_++), kT0 + i * kSecond));
    append(*store_, std::move(batch));
  }
  int received_ = 0;  // delivery ids stay new across calls: a repeated one would be a duplicate
  std::string statusIn(const Change& c) { return json::parse(c.dataJson)["status"]; }
  std::int64_t prune(std::int64_t maxAgeMicros, std::int64_t maxRecords, std::int64_t now) {
    auto removed = store_->feed.prune({maxAgeMicros, maxRecords}, now);
    EXPECT_TRUE(removed.has_value()) << removed.error().message;
    return removed.value_or(-1);
  }
};

TEST_F(ChangeFeedTest, ReadFiltersByResourceRepositoryIgnoringCaseAndForge) {
  appendOne(*store_, delivery("github", "h", "a", kT0, "issues", "Codertocat/Hello-World"));
  appendOne(*store_, delivery("gitlab", "h", "b", kT0, "push", "group/project"));
  appendOne(*store_, delivery("github", "h", "c", kT0, "issues", "other/repo"));
  commit({repositoryRow("1", "Codertocat/Hello-World")});  // its delivery is on Codertocat/Hello-World too

  ChangeQuery repositories;
  repositories.resources = {"repositories"};
  EXPECT_THAT(kinds(read(repositories).changes), ElementsAre("repositories created"));
  ChangeQuery two;
  two.resources = {"repositories", "activity"};
  EXPECT_THAT(kinds(read(two).changes), ElementsAre("repositories created", "activity created"));

  ChangeQuery byRepository;
  byRepository.repository = "codertocat/HELLO-world";
  const auto mine = read(byRepository).changes;
  EXPECT_THAT(kinds(mine),
              ElementsAre("deliveries created", "deliveries created", "repositories created", "deliveries updated"));
  for (const auto& c : mine) EXPECT_EQ(c.repository, "Codertocat/Hello-World");

  ChangeQuery gitlab;
  gitlab.forge = "gitlab";
  const auto theirs = read(gitlab).changes;
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(json::parse(theirs[0].dataJson)["delivery_id"], "b");
  gitlab.resources = {"repositories"};
  EXPECT_THAT(read(gitlab).changes, IsEmpty());
}

TEST_F(ChangeFeedTest, LimitMustBeOneToAThousand) {
  receive(3);
  for (const int bad : {0, -1, 1001}) {
    ChangeQuery q;
    q.limit = bad;
    const auto page = store_->feed.read(q);
    ASSERT_FALSE(page.has_value()) << bad;
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument) << bad;
  }
  ChangeQuery one;
  one.limit = 1;
  EXPECT_THAT(seqs(read(one).changes), ElementsAre(1));
  ChangeQuery most;
  most.limit = 1000;
  EXPECT_THAT(seqs(read(most).changes), ElementsAre(1, 2, 3));
}

TEST_F(ChangeFeedTest, PagingAfterTheLastSeqSeesEveryRecordOnce) {
  receive(7);
  std::vector<std::int64_t> seen;
  ChangeQuery q;
  q.limit = 3;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = read(q);
    EXPECT_EQ(page.newestSeq, 7);
    EXPECT_FALSE(page.reset);
    if (page.changes.empty()) break;
    for (const auto& c : page.changes) seen.push_back(c.seq);
    q.after = page.changes.back().seq;
  }
  EXPECT_THAT(seen, ElementsAre(1, 2, 3, 4, 5, 6, 7));
}

TEST_F(ChangeFeedTest, PruneByCountKeepsTheNewestAndTellsAReaderItFellBehind) {
  receive(10);
  EXPECT_EQ(prune(kNoAgeLimit, 3, kT0), 7);
  const auto page = read({});
  EXPECT_THAT(seqs(page.changes), ElementsAre(8, 9, 10));
  EXPECT_EQ(page.oldestSeq, 8);
  EXPECT_TRUE(page.reset);  // 1..7 are gone
  ChangeQuery q;
  q.after = 6;
  EXPECT_TRUE(read(q).reset);
  q.after = 7;  // nothing it has not seen was pruned
  EXPECT_FALSE(read(q).reset);
  q.after = 10;
  EXPECT_FALSE(read(q).reset);
  EXPECT_EQ(prune(kNoAgeLimit, 3, kT0), 0);
}

TEST_F(ChangeFeedTest, PruneByAgeKeepsTheNewestEvenWhenItIsOld) {
  receive(10);                                                     // at kT0 + 0..9 s
  EXPECT_EQ(prune(5 * kSecond, 1'000'000, kT0 + 9 * kSecond), 4);  // older than kT0 + 4 s
  EXPECT_THAT(seqs(all()), ElementsAre(5, 6, 7, 8, 9, 10));
  EXPECT_EQ(prune(5 * kSecond, 1'000'000, kT0 + 86400 * kSecond), 5);
  EXPECT_THAT(seqs(all()), ElementsAre(10));
  ChangeQuery q;
  q.after = 10;
  EXPECT_FALSE(read(q).reset);
}

TEST_F(ChangeFeedTest, PruneDeletesMoreThanOneBatch) {
  receive(4500);  // more than two of SqliteChangeFeed's batches
  EXPECT_EQ(prune(kNoAgeLimit, 1, kT0), 4499);
  const auto page = read({});
  EXPECT_THAT(seqs(page.changes), ElementsAre(4500));
  EXPECT_TRUE(page.reset);
}

TEST_F(ChangeFeedTest, SeqsContinueAfterTheOldMaximumOncePruned) {
  receive(5);
  EXPECT_EQ(prune(0, 1, kT0 + kSecond * 3600), 4);
  appendOne(*store_, delivery("github", "h", "next"));
  EXPECT_THAT(seqs(all()), ElementsAre(5, 6));
  // Even with every record gone (a hand clean-up), a seq is never handed out twice.
  ASSERT_TRUE(store_->db.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "DELETE FROM changes"), SQLITE_OK);
    return {};
  }));
  EXPECT_EQ(newest(), 6);
  EXPECT_TRUE(read({}).reset);
  appendOne(*store_, delivery("github", "h", "after"));
  EXPECT_THAT(seqs(all()), ElementsAre(7));
}

TEST_F(ChangeFeedTest, RetryAndDeadLetterRecordEachStatusChangeOnce) {
  const auto a = appendOne(*store_, delivery("github", "h", "a"));
  const auto b = appendOne(*store_, delivery("github", "h", "b"));
  auto fail = [&](std::vector<FailedDelivery> failed) {
    const auto before = newest();
    EXPECT_TRUE(store_->queue.finishProcessing({}, failed, kT0));
    return all(before);
  };
  auto retried = fail({{a, "boom", kT0 + kSecond}, {b, "broken", std::nullopt}});
  ASSERT_THAT(kinds(retried), ElementsAre("deliveries updated", "deliveries updated"));
  EXPECT_EQ(retried[0].id, std::to_string(a));
  EXPECT_EQ(statusIn(retried[0]), "retrying");
  EXPECT_EQ(retried[1].id, std::to_string(b));
  EXPECT_EQ(statusIn(retried[1]), "dead");
  EXPECT_THAT(fail({{a, "boom again", kT0 + 2 * kSecond}}), IsEmpty());  // retrying -> retrying
  const auto dead = fail({{a, "gave up", std::nullopt}});
  ASSERT_THAT(kinds(dead), ElementsAre("deliveries updated"));
  EXPECT_EQ(statusIn(dead[0]), "dead");
}

TEST_F(ChangeFeedTest, RefusedRecordsDeadLetterTheirDeliveryAndRecordNoneOfItsRows) {
  const auto id = appendOne(*store_, delivery("github", "h", "a"));
  ProcessedDelivery refused{id, {repositoryRow("1", "o/r"), row("no_such_table", {{"k", "v"}}, {})}, {}, {}};
  EXPECT_EQ(store_->queue.finishProcessing(std::span(&refused, 1), {}, kT0).value_or(FinishedBatch{0, 0}).deadLettered,
            1);
  const auto changes = all(1);
  ASSERT_THAT(kinds(changes), ElementsAre("deliveries updated"));
  EXPECT_EQ(statusIn(changes[0]), "dead");
}

TEST_F(ChangeFeedTest, RebuildTakesResetPointsInsteadOfRecordingWhatItEmptiesAndRequeues) {
  commit({repositoryRow("1", "o/r")});
  const auto dead = appendOne(*store_, delivery("github", "h", "dead"));
  ASSERT_TRUE(store_->queue.finishProcessing({}, std::vector<FailedDelivery>{{dead, "x", std::nullopt}}, kT0));
  appendOne(*store_, delivery("github", "h", "still queued"));
  const auto before = newest();
  ASSERT_EQ(store_->queue.rebuildProjections(kT0).value_or(RebuildOutcome{-1, -1}).queued, 3);
  // Every delivery fits in the first chunk: the rebuild starts and has nothing left to queue.
  EXPECT_THAT(all(before), IsEmpty());
  EXPECT_EQ(newest(), before + 2);
  const auto started = read({.after = before});
  EXPECT_TRUE(started.reset);
  EXPECT_EQ(started.resetAt, before + 1);
  EXPECT_EQ(started.resetReason, "rebuild_started");
  EXPECT_THAT(started.changes, IsEmpty());
  const auto finished = read({.after = before + 1});
  EXPECT_TRUE(finished.reset);
  EXPECT_EQ(finished.resetAt, before + 2);
  EXPECT_EQ(finished.resetReason, "rebuild_finished");
  const auto after = read({.after = before + 2});
  EXPECT_FALSE(after.reset);
  EXPECT_EQ(after.resetAt, 0);
}

TEST_F(ChangeFeedTest, APageEndsBeforeAResetPointAndSaysResetOnceItGetsThere) {
  receive(3);  // seqs 1..3
  ASSERT_TRUE(store_->queue.rebuildProjections(kT0).has_value());  // reset points 4 and 5
  receive(1);                                                       // 6
  const auto first = read({.after = 0});
  EXPECT_THAT(seqs(first.changes), ElementsAre(1, 2, 3));
  EXPECT_TRUE(first.reset);
  EXPECT_EQ(first.resetAt, 4);
  // A full page stops short of it: the reader gets there with its next page.
  const auto full = read({.after = 0, .limit = 2});
  EXPECT_THAT(seqs(full.changes), ElementsAre(1, 2));
  EXPECT_FALSE(full.reset);
  EXPECT_EQ(full.resetAt, 0);
  EXPECT_EQ(full.resetReason, "");
  // A filter that leaves every record out still reaches it.
  const auto filtered = read({.after = 0, .resources = {"pulls"}});
  EXPECT_THAT(filtered.changes, IsEmpty());
  EXPECT_TRUE(filtered.reset);
  EXPECT_EQ(filtered.resetAt, 4);
  const auto past = read({.after = 5});
  EXPECT_THAT(seqs(past.changes), ElementsAre(6));
  EXPECT_FALSE(past.reset);
}

TEST_F(ChangeFeedTest, PruneDropsResetPointsOlderThanTheOldestKeptRecord) {
  receive(2);                                                       // 1, 2
  ASSERT_TRUE(store_->queue.rebuildProjections(kT0).has_value());  // 3, 4
  receive(3);                                                       // 5, 6, 7
  auto resetPoints = [&] { return rowCount(store_->db, "change_resets"); };
  // By count, against the newest seq (7): 1 goes; 2 is kept, so are both points after it.
  EXPECT_EQ(prune(kNoAgeLimit, 6, kT0), 1);
  EXPECT_EQ(resetPoints(), 2);
  EXPECT_EQ(prune(kNoAgeLimit, 3, kT0), 1);  // 2 goes: the oldest kept is 5, after both points
  EXPECT_EQ(resetPoints(), 0);
  const auto behind = read({.after = 2});
  EXPECT_TRUE(behind.reset);  // pruned past it: a reset all the same
  EXPECT_EQ(behind.resetAt, 0);
}

TEST_F(ChangeFeedTest, RequeueByFilterRecordsOnlyTheMatchingDeliveries) {
  const auto a = commit({});
  commit({});
  const auto before = newest();
  DeliveryFilter one;
  one.id = a;
  ASSERT_EQ(store_->queue.requeue(one, kT0).value_or(-1), 1);
  const auto changes = all(before);
  ASSERT_THAT(kinds(changes), ElementsAre("deliveries updated"));
  EXPECT_EQ(changes[0].id, std::to_string(a));
}

TEST_F(ChangeFeedTest, AFailedWriteRecordsNothingAndConsumesNoSeq) {
  const auto id = appendOne(*store_, delivery("github", "h", "a"));
  const auto before = newest();
  // The unknown failed delivery fails the whole transaction after the first one's rows were recorded.
  ProcessedDelivery done{id, {repositoryRow("1", "o/r")}, {}, {}};
  EXPECT_FALSE(store_->queue.finishProcessing(std::span(&done, 1), std::vector<FailedDelivery>{{999, "x", {}}}, kT0));
  EXPECT_FALSE(store_->planning.updateItem(999, ItemInput{}, kT0Seconds));
  EXPECT_FALSE(store_->planning.deleteItem(999, kT0Seconds));
  EXPECT_FALSE(store_->planning.acknowledgeIncident(999, "bob", "", kT0Seconds));
  EXPECT_EQ(newest(), before);
  EXPECT_THAT(all(before), IsEmpty());

  ASSERT_TRUE(store_->queue.finishProcessing(std::span(&done, 1), {}, kT0));
  const auto changes = all(before);
  EXPECT_THAT(kinds(changes), ElementsAre("repositories created", "activity created", "deliveries updated"));
  expectConsecutive(changes, before + 1);
}

}  // namespace
}  // namespace forgehook::store::sqlite
