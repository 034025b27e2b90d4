#include "store/sqlite/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <tuple>
#include <vector>

#include "store/store_unusable.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;

std::int64_t countDeliveries(const std::string& path) {
  DbHandle db = openDatabase(path, true, true);
  Statement s(db.get(), "SELECT count(*) FROM deliveries");
  s.step();
  return s.integer(0);
}

TEST_F(SqliteTest, ABackupTakenWhileAnotherConnectionCommitsIsOneConsistentCommit) {
  auto store = open();
  for (int i = 0; i < 300; ++i) appendOne(*store, delivery("github", "1", "before-" + std::to_string(i)));
  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      appendOne(*store, delivery("github", "1", "during-" + std::to_string(i)));
      ++during;
    }
  });
  const auto destination = (dir_.path() / "backup.db").string();
  CopySummary summary;
  try {
    summary = backupDatabase(dbPath(), destination);
  } catch (...) {
    stop = true;
    writer.join();
    throw;
  }
  stop = true;
  writer.join();

  EXPECT_GE(summary.deliveries, 300);
  {
    // Commits are sequential, so a snapshot of one commit holds during-0 .. during-(n-1), no gap.
    DbHandle db = openDatabase(destination, true, true);
    Statement s(db.get(),
                "SELECT count(*), coalesce(max(CAST(substr(delivery_id, 8) AS INTEGER)), -1) FROM deliveries "
                "WHERE delivery_id LIKE 'during-%'");
    ASSERT_EQ(s.step(), SQLITE_ROW);
    EXPECT_EQ(s.integer(0), s.integer(1) + 1) << "the backup holds a later commit without an earlier one";
    EXPECT_EQ(summary.deliveries, 300 + s.integer(0));
  }
  EXPECT_EQ(countDeliveries(destination), summary.deliveries);
  EXPECT_EQ(summary.bytes, static_cast<std::int64_t>(fs::file_size(destination)));
  EXPECT_FALSE(fs::exists(destination + "-wal")) << "a backup is one file";
  EXPECT_EQ(fs::status(destination).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_GT(during.load(), 0) << "the writer never committed while the backup ran";
  EXPECT_THROW(backupDatabase(dbPath(), destination), std::runtime_error) << "an existing file is never overwritten";
}

TEST_F(SqliteTest, ABackupHoldsDeliveriesAcknowledgedButNotIndexedYetWithTheirIdsAndBodies) {
  auto store = open();
  appendOne(*store, delivery("github", "1", "indexed"));
  std::vector batch{delivery("github", "1", "pending-1"), delivery("github", "1", "indexed", kT0 + kSecond),
                    delivery("github", "1", "pending-2")};
  const auto acked = store->log.appendDurable(batch);
  ASSERT_TRUE(acked.has_value());
  ASSERT_EQ(rowCount(store->db, "deliveries"), 1);  // the serving process has not indexed them

  const auto destination = (dir_.path() / "backup.db").string();
  const auto summary = backupDatabase(dbPath(), destination);
  EXPECT_EQ(summary.deliveries, 3);
  DbHandle db = openDatabase(destination, true, true);
  Statement s(db.get(),
              "SELECT d.id, d.delivery_id, d.attempts, b.body FROM deliveries d JOIN delivery_bodies b "
              "ON b.delivery = d.id ORDER BY d.id");
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> rows;
  while (s.step() == SQLITE_ROW) {
    rows.emplace_back(s.integer(0), s.text(1), s.integer(2));
    EXPECT_EQ(s.blob(3), delivery("github", "1", s.text(1)).body) << s.text(1);
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], std::tuple(std::int64_t{1}, std::string("indexed"), std::int64_t{2}));
  EXPECT_EQ(rows[1], std::tuple((*acked)[0].id, std::string("pending-1"), std::int64_t{1}));
  EXPECT_EQ(rows[2], std::tuple((*acked)[2].id, std::string("pending-2"), std::int64_t{1}));
}

TEST_F(SqliteTest, RestoreKeepsTheReplacedDatabaseWithItsLogAndLeavesNoLogBesideTheRestoredOne) {
  const auto backupPath = (dir_.path() / "backup.db").string();
  {
    auto store = open();
    appendOne(*store, delivery("github", "1", "old-1"));
    backupDatabase(dbPath(), backupPath);
    appendOne(*store, delivery("github", "1", "old-2"));
  }
  // A log still beside the file, as after a kill -9: it must leave with the file it belongs to.
  std::ofstream(dbPath() + "-wal", std::ios::binary) << randomBytes(4096, 3);
  const auto summary = restoreDatabase(backupPath, dbPath());
  EXPECT_EQ(summary.deliveries, 1);
  ASSERT_FALSE(summary.previousKeptAs.empty());
  EXPECT_TRUE(fs::exists(summary.previousKeptAs));
  EXPECT_TRUE(fs::exists(summary.previousKeptAs + "-wal"));
  EXPECT_FALSE(fs::exists(dbPath() + "-wal"));
  EXPECT_EQ(countDeliveries(dbPath()), 1);
  auto reopened = open();  // forgehook opens and migrates the restored file
  EXPECT_TRUE(reopened->log.checkWritable().has_value());
}

TEST_F(SqliteTest, RestoreRefusesADamagedOrForeignBackupAndLeavesTheStoreAsItWas) {
  { open(); }
  const auto foreign = (dir_.path() / "foreign.db").string();
  {
    DbHandle db = openDatabase(foreign, false, true);
    ASSERT_EQ(execute(db.get(), "CREATE TABLE foo (x)"), SQLITE_OK);
  }
  EXPECT_THROW(restoreDatabase(foreign, dbPath()), StoreUnusable);
  const auto text = (dir_.path() / "notes.txt").string();
  std::ofstream(text) << "not a database\n";
  EXPECT_THROW(restoreDatabase(text, dbPath()), StoreUnusable);
  EXPECT_EQ(countDeliveries(dbPath()), 0);
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    EXPECT_EQ(entry.path().filename().string().find("before-restore"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace forgehook::store::sqlite
