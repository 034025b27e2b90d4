#include "store/sqlite/database_check.h"

#include <gtest/gtest.h>

#include <fstream>

#include "store/sqlite/schema.h"
#include "store/store_unusable.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

// The message of the StoreUnusable that checking `path` throws; "" when it passes.
std::string problemWith(const std::string& path, std::int64_t newest = newestSchemaVersion(), bool quickCheck = true) {
  try {
    checkDatabaseFile(path, newest, quickCheck);
    return "";
  } catch (const StoreUnusable& e) {
    return e.what();
  }
}

void runSql(const std::string& path, const char* sql) {
  DbHandle db = openDatabase(path, false, true);
  ASSERT_EQ(execute(db.get(), sql), SQLITE_OK) << sqlite3_errmsg(db.get());
}

std::int64_t applicationId(const std::string& path) {
  DbHandle db = openDatabase(path, true, true);
  Statement s(db.get(), "PRAGMA application_id");
  s.step();
  return s.integer(0);
}

TEST_F(SqliteTest, AMissingOrEmptyFileIsANewStore) {
  EXPECT_EQ(problemWith(dbPath()), "");
  std::ofstream(dbPath()).close();
  EXPECT_EQ(problemWith(dbPath()), "");
}

TEST_F(SqliteTest, ForgehooksOwnDatabasePassesAndIsMarkedAsForgehooks) {
  { open(); }
  EXPECT_EQ(applicationId(dbPath()), kForgehookApplicationId);
  EXPECT_EQ(problemWith(dbPath()), "");
}

TEST_F(SqliteTest, ADatabaseOfAnOlderForgehookWithoutTheMarkIsStillForgehooks) {
  { open(); }
  runSql(dbPath(), "PRAGMA application_id=0");
  EXPECT_EQ(problemWith(dbPath()), "");
  { open(); }  // and opening marks it
  EXPECT_EQ(applicationId(dbPath()), kForgehookApplicationId);
}

TEST_F(SqliteTest, RandomBytesAndTextAreNotAnSqliteDatabase) {
  std::ofstream(dbPath(), std::ios::binary) << randomBytes(64 * 1024, 7);
  EXPECT_EQ(problemWith(dbPath()), "cannot use the database " + dbPath() +
                                       ": it is not an SQLite database (file is not a database). Move the file away "
                                       "to start with an empty store, or put a backup in its place with `forgehook restore`.");
  std::ofstream(dbPath(), std::ios::trunc) << "data_dir = \"/srv/forgehook\"\n";
  EXPECT_NE(problemWith(dbPath()).find("it is not an SQLite database"), std::string::npos);
}

TEST_F(SqliteTest, AnotherApplicationsDatabaseIsRefusedAndLeftUntouched) {
  runSql(dbPath(), "PRAGMA journal_mode=DELETE; CREATE TABLE foo (x); INSERT INTO foo VALUES (1)");
  EXPECT_NE(problemWith(dbPath()).find("it is not a forgehook database (it holds the tables foo and no forgehook schema)"),
            std::string::npos);
  EXPECT_THROW(SqliteRoles(SqliteOptions{dbPath(), true, 0}), StoreUnusable);
  DbHandle db = openDatabase(dbPath(), true, true);
  Statement tables(db.get(), "SELECT count(*) FROM sqlite_schema");
  tables.step();
  EXPECT_EQ(tables.integer(0), 1) << "forgehook's schema was added to another application's file";

  std::filesystem::remove(dbPath());
  runSql(dbPath(), "PRAGMA application_id=1234; CREATE TABLE deliveries (x)");
  EXPECT_NE(problemWith(dbPath()).find("it belongs to another application (application_id 0x000004D2)"),
            std::string::npos);
}

TEST_F(SqliteTest, ASchemaNewerThanThisForgehookIsRefused) {
  { open(); }
  const auto newest = newestSchemaVersion();
  runSql(dbPath(), ("PRAGMA user_version=" + std::to_string(newest + 1)).c_str());
  EXPECT_NE(problemWith(dbPath()).find("its schema version " + std::to_string(newest + 1) +
                                       " is newer than this forgehook knows (" + std::to_string(newest) + ")"),
            std::string::npos);
  EXPECT_THROW(SqliteRoles(SqliteOptions{dbPath(), true, 0}), StoreUnusable);
}

TEST_F(SqliteTest, QuickCheckFindsDamagedPagesInTheMiddle) {
  {
    // Bodies live in the journal: rows and change records are what fills the file, so enough of
    // them that the middle of the file is rows, not the schema pages the light check reads.
    auto store = open();
    for (int i = 0; i < 40; ++i) {
      std::vector<NewDelivery> batch;
      for (int j = 0; j < 100; ++j) batch.push_back(delivery("github", "1", "d-" + std::to_string(i * 100 + j)));
      append(*store, batch);
    }
    store->db.checkpointAndTruncateLog();
  }
  const auto size = std::filesystem::file_size(dbPath());
  {
    std::fstream f(dbPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    f << randomBytes(8 * 4096, 99);
  }
  EXPECT_EQ(problemWith(dbPath(), newestSchemaVersion(), false), "") << "only quick_check reads every page";
  EXPECT_NE(problemWith(dbPath()).find(": it is damaged (quick_check: "), std::string::npos) << problemWith(dbPath());
}

}  // namespace
}  // namespace forgehook::store::sqlite
