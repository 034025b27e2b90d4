// Statements are prepared once per connection and SQL text, and come back clean.
#include "store/sqlite/statement_cache.h"

#include <gtest/gtest.h>

#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    statement_cache::opened(db_);
    ASSERT_EQ(execute(db_, "CREATE TABLE t (v INTEGER)"), SQLITE_OK);
    ASSERT_EQ(execute(db_, "INSERT INTO t VALUES (1), (2), (3)"), SQLITE_OK);
  }
  void TearDown() override {
    if (db_) closeDatabase(db_);
  }
  // Every statement the connection holds, in use or kept.
  int prepared() const {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s)) ++n;
    return n;
  }
  sqlite3* db_ = nullptr;
};

TEST_F(StatementCacheTest, TheSameTextIsPreparedOnce) {
  for (int i = 0; i < 5; ++i) {
    Statement s(db_, "SELECT count(*) FROM t WHERE v > ?1");
    s.bind(1, std::int64_t{i});
    ASSERT_EQ(s.step(), SQLITE_ROW);
    EXPECT_EQ(s.integer(0), std::max(0, 3 - i));
  }
  EXPECT_EQ(prepared(), 1);
}

TEST_F(StatementCacheTest, AReusedStatementStartsWithoutBindingsOrAPendingRow) {
  {
    Statement s(db_, "SELECT v FROM t WHERE v = ?1 OR ?1 IS NULL ORDER BY v");
    s.bind(1, std::int64_t{2});
    ASSERT_EQ(s.step(), SQLITE_ROW);  // left mid-result
  }
  Statement again(db_, "SELECT v FROM t WHERE v = ?1 OR ?1 IS NULL ORDER BY v");
  ASSERT_EQ(again.step(), SQLITE_ROW);  // ?1 is NULL again: every row, from the first
  EXPECT_EQ(again.integer(0), 1);
  // And the connection commits: nothing kept holds a read open.
  EXPECT_EQ(execute(db_, "BEGIN; INSERT INTO t VALUES (4); COMMIT"), SQLITE_OK);
}

TEST_F(StatementCacheTest, TwoOfTheSameTextAtOnceAreIndependent) {
  Statement outer(db_, "SELECT v FROM t ORDER BY v");
  Statement inner(db_, "SELECT v FROM t ORDER BY v");
  ASSERT_EQ(outer.step(), SQLITE_ROW);
  ASSERT_EQ(inner.step(), SQLITE_ROW);
  ASSERT_EQ(inner.step(), SQLITE_ROW);
  ASSERT_EQ(outer.step(), SQLITE_ROW);
  EXPECT_EQ(outer.integer(0), 2);
  EXPECT_EQ(inner.integer(0), 2);
}

TEST_F(StatementCacheTest, TextsBuiltFromFiltersDoNotGrowTheCacheWithoutBound) {
  for (int i = 0; i < 500; ++i) {
    Statement s(db_, "SELECT count(*) FROM t WHERE v <> " + std::to_string(i));
    ASSERT_EQ(s.step(), SQLITE_ROW);
  }
  EXPECT_GT(prepared(), 0);
  EXPECT_LE(prepared(), 96);
}

TEST_F(StatementCacheTest, PurgeFinalizesWhatIsKeptSoTheConnectionCloses) {
  { Statement s(db_, "SELECT 1"); }
  EXPECT_EQ(prepared(), 1);
  statement_cache::purge(db_);
  EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);  // SQLITE_BUSY if a statement were left
  db_ = nullptr;
}

TEST(StatementCacheUnregistered, AConnectionNotOpenedThroughOpenDatabaseKeepsNothing) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  { Statement s(db, "SELECT 1"); }
  EXPECT_EQ(sqlite3_next_stmt(db, nullptr), nullptr);
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}

}  // namespace
}  // namespace forgehook::store::sqlite
