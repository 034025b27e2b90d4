#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>

#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST_F(SqliteTest, IntakeIndexesAtNormalBehindTheJournalAndOtherWritesRunAtFull) {
  auto store = open();
  EXPECT_EQ(store->db.synchronousLevel(), 2);  // FULL from the first commit on
  // The body journal syncs intake's records: the rows that index them commit at NORMAL.
  const auto id = appendOne(*store, delivery("github", "1", "d-1"));
  EXPECT_EQ(store->db.synchronousLevel(), 1);
  EXPECT_GT(store->db.journal().end().offset, 0);
  // A durable write (a token here) runs at FULL again, which syncs the log frames before it too.
  ASSERT_TRUE(store->tokens.createToken("t", kT0 / kSecond).has_value());
  EXPECT_EQ(store->db.synchronousLevel(), 2);
  ProcessedDelivery processed;
  processed.id = id;
  processed.activity.forge = "github";
  processed.activity.kind = "issues";
  processed.activity.summary = "ok";
  const auto finished = store->queue.finishProcessing(std::span<const ProcessedDelivery>(&processed, 1), {}, kT0);
  ASSERT_TRUE(finished.has_value());
  ASSERT_EQ(finished->deadLettered, 0);
  EXPECT_EQ(store->db.synchronousLevel(), 1);  // the processing commit ran at NORMAL

  Database normal(SqliteOptions{(dir_.path() / "normal.db").string(), false, 0});
  EXPECT_EQ(normal.synchronousLevel(), 1);  // store.synchronous = normal
}

TEST_F(SqliteTest, RecordsTheIndexLostAreIndexedAgainAtStart) {
  JournalPosition indexedEnd;
  {
    auto store = open();
    appendOne(*store, delivery("github", "1", "kept"));
    indexedEnd = store->db.journal().end();
    // A power cut after the journal synced and before the rows' commit reached the disk: the
    // records are in the journal, the index does not know them.
    std::vector<NewDelivery> lost{delivery("github", "1", "lost-1"), delivery("github", "1", "lost-2"),
                                  delivery("github", "1", "kept")};
    lost[1].body = randomBytes(30'000, 7);
    lost[1].bodySize = 30'000;
    ASSERT_TRUE(store->db.journal().append(lost).has_value());
  }
  auto store = open();
  DeliveryFilter all;
  all.limit = 10;
  const auto page = store->log.listDeliveries(all);
  ASSERT_TRUE(page.has_value());
  std::vector<std::string> names;
  for (const auto& d : page->deliveries) names.push_back(d.deliveryId + "/" + std::to_string(d.attempts));
  // Indexed in journal order; the repeated delivery is a second attempt of the first, not a row.
  EXPECT_THAT(names, ElementsAre("lost-2/1", "lost-1/1", "kept/2"));
  const auto big = store->log.getDelivery(page->deliveries[0].id);
  ASSERT_TRUE(big.has_value()) << big.error().message;
  EXPECT_TRUE(big->rawBody == randomBytes(30'000, 7));
  EXPECT_EQ(big->headersJson, R"({"X-GitHub-Event":"issues"})");
  EXPECT_GT(store->db.journalIndexedUpTo().offset, indexedEnd.offset);
  // Indexed once: a second start finds nothing past the index's end.
  store.reset();
  store = open();
  const auto again = store->log.listDeliveries(all);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->deliveries.size(), 3u);
}

TEST_F(SqliteTest, ATornRecordAtTheJournalsEndIsCutOffAndTheNextAppendTakesItsPlace) {
  std::int64_t size = 0;
  {
    auto store = open();
    appendOne(*store, delivery("github", "1", "whole"));
    size = store->db.journal().end().offset;
  }
  const auto segment = BodyJournal::segmentPath(dir_.path() / "bodies", 1);
  fs::resize_file(segment, static_cast<std::uintmax_t>(size));  // as if nothing had been preallocated
  {
    // Half a record, as a crash in the middle of a write leaves it.
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out << std::string("\x46\x48\x42\x31\x40\x00\x00\x00", 8) << randomBytes(20, 3);
  }
  auto store = open();
  EXPECT_EQ(fs::file_size(segment), static_cast<std::uintmax_t>(size));
  const auto id = appendOne(*store, delivery("github", "1", "next"));
  const auto next = store->log.getDelivery(id);
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->deliveryId, "next");
}

TEST_F(SqliteTest, AJournalDirectoryOfAnotherDatabaseIsMovedAsideNotRead) {
  {
    auto store = open();
    appendOne(*store, delivery("github", "1", "old"));
  }
  fs::remove(dbPath());
  fs::remove(dbPath() + "-wal");
  fs::remove(dbPath() + "-shm");
  auto store = open();
  DeliveryFilter all;
  const auto page = store->log.listDeliveries(all);
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->deliveries.empty());  // the old journal's record was not indexed into the new store
  int aside = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    aside += entry.path().filename().string().starts_with("bodies.orphaned-") ? 1 : 0;
  EXPECT_EQ(aside, 1);
}

TEST_F(SqliteTest, FullStoreIsUnavailableAndKeepsCommittedRows) {
  // The empty schema (delivery log, projections and their indexes) takes ~80 pages of 4 KiB; the
  // cap leaves room above it.
  auto store = open(600'000);
  ASSERT_TRUE(store->log.checkWritable().has_value());

  std::vector<std::pair<std::int64_t, std::string>> committed;
  std::optional<core::Error> failure;
  for (int i = 0; i < 100 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "big-" + std::to_string(i));
    d.body = randomBytes(20'000, i);
    d.bodySize = static_cast<std::int64_t>(d.body.size());
    ASSERT_EQ(encodeBody(d.body, 1).encoding, "identity");  // incompressible: the cap is reached by real bytes
    auto outcome = store->log.appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      committed.emplace_back((*outcome)[0].id, d.body);
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "600 kB cap never reached after 100 bodies of 20 kB";
  EXPECT_EQ(failure->code, core::Code::Unavailable);
  EXPECT_EQ(failure->reason, "store_full");
  ASSERT_FALSE(committed.empty());
  EXPECT_LE(committed.size() * 20'000, 600'000u);  // the cap held: no more than it allows was committed

  for (const auto& [id, body] : committed) {
    const auto detail = store->log.getDelivery(id);
    ASSERT_TRUE(detail.has_value()) << id << ": " << detail.error().message;
    EXPECT_TRUE(detail->rawBody == body) << id;
  }
  DeliveryFilter all;
  all.limit = 500;
  const auto page = store->log.listDeliveries(all);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries.size(), committed.size());  // the failed batch left nothing behind

  const auto writable = store->log.checkWritable();
  ASSERT_FALSE(writable.has_value());
  EXPECT_EQ(writable.error().code, core::Code::Unavailable);
  EXPECT_EQ(writable.error().reason, "store_full");
}

TEST_F(SqliteTest, NotReadyAfterABodyTooLargeForTheRoomLeft) {
  // 2 MB cap and 600 kB bodies: the last one that does not fit fails with up to hundreds of kB
  // still free, far above the 1% threshold, so only the memory of the failed commit can say "not ready".
  auto store = open(2'000'000);
  std::optional<core::Error> failure;
  int fitted = 0;
  for (int i = 0; i < 10 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "fill-" + std::to_string(i));
    d.body = randomBytes(600'000, i);
    auto outcome = store->log.appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      ++fitted;
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "the 2 MB cap was never reached";
  // The bodies are in the journal and the database file holds little more than the schema: two or
  // three fit, never more than the cap.
  EXPECT_GE(fitted, 2);
  EXPECT_LE(fitted * 600'000, 2'000'000) << "the cap let more through than it allows";
  EXPECT_EQ(failure->reason, "store_full");
  EXPECT_FALSE(store->log.checkWritable().has_value()) << "ready although the last commit failed for lack of space";
}

TEST_F(SqliteTest, DeletingInBatchesFreesTheWriteLockBetweenTwoBatches) {
  auto store = open();
  ASSERT_TRUE(store->db.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "CREATE TABLE doomed (n INTEGER); CREATE TABLE interleaved (after INTEGER);"
                     "INSERT INTO doomed VALUES (1), (2), (3), (4), (5);"),
         SQLITE_OK);
    return {};
  }));
  int betweens = 0;
  // Each pause writes through the same lock: were it still held, the write would never get it.
  const auto removed = store->db.deleteInBatches(
      "DELETE FROM doomed WHERE rowid IN (SELECT rowid FROM doomed LIMIT ?1)",
      [](Statement& s) { s.bind(1, std::int64_t{2}); }, 2,
      [&] {
        ++betweens;
        EXPECT_TRUE(store->db.write([](sqlite3* db) -> core::Result<void> {
          must(execute(db, "INSERT INTO interleaved SELECT count(*) FROM doomed"), SQLITE_OK);
          return {};
        }));
        return true;
      });
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  EXPECT_EQ(*removed, 5);
  EXPECT_EQ(betweens, 2);  // after the two full batches, none after the last
  std::vector<std::int64_t> seen;
  ASSERT_TRUE(store->db.read<void>([&](sqlite3* db) -> core::Result<void> {
    Statement rows(db, "SELECT after FROM interleaved ORDER BY rowid");
    while (rows.step() == SQLITE_ROW) seen.push_back(rows.integer(0));
    return {};
  }));
  EXPECT_EQ(seen, (std::vector<std::int64_t>{3, 1}));  // each between two committed batches

  // A pause that says stop (housekeeping's, at shutdown) ends the deletes after the batch before it.
  ASSERT_TRUE(store->db.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "INSERT INTO doomed VALUES (1), (2), (3), (4), (5)"), SQLITE_OK);
    return {};
  }));
  const auto stopped = store->db.deleteInBatches(
      "DELETE FROM doomed WHERE rowid IN (SELECT rowid FROM doomed LIMIT ?1)",
      [](Statement& s) { s.bind(1, std::int64_t{2}); }, 2, [] { return false; });
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(*stopped, 2);
  EXPECT_EQ(rowCount(store->db, "doomed"), 3);
}

TEST(StoreErrorTest, NoRoomIsStoreFullWithALongRetryAfterAndOtherFailuresAreUnavailable) {
  for (const auto& full :
       {storeError(SQLITE_FULL), storeError(SQLITE_IOERR_WRITE, ENOSPC), storeError(SQLITE_IOERR_FSYNC, EDQUOT)}) {
    EXPECT_EQ(full.code, core::Code::Unavailable);
    EXPECT_EQ(full.reason, "store_full");
    EXPECT_EQ(full.retryAfterSeconds, 30);
  }
  const auto io = storeError(SQLITE_IOERR_WRITE, EIO);
  EXPECT_EQ(io.code, core::Code::Unavailable);
  EXPECT_EQ(io.reason, "store_unavailable");
  EXPECT_EQ(io.retryAfterSeconds, 1);
  EXPECT_EQ(storeError(SQLITE_BUSY).reason, "store_unavailable");
}

// Reads one row of `hooks` with a connection of its own, as an operator would.

}  // namespace
}  // namespace forgehook::store::sqlite
