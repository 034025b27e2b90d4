// What only the SQLite file shows; the secret store's contract is in ../secret_store_contract_test.cc.
#include "store/sqlite/secret_store.h"

#include <gtest/gtest.h>

#include "support/raw_sqlite.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

// The sealed column (checked on every backend) is not all: no page of the file or its WAL holds it.
TEST_F(SqliteTest, TheDatabaseFileHoldsNoPlainSecret) {
  const std::string secret = "plain-hook-secret-5f1e2d3c";
  {
    auto store = open();
    ASSERT_TRUE(store->secrets.putSecrets({"github", "hook", "123", {secret, secret + "-previous"}}).has_value());
    EXPECT_EQ(testing::fileBytes(dbPath() + "-wal").find(secret), std::string::npos);
  }
  EXPECT_EQ(testing::fileBytes(dbPath()).find(secret), std::string::npos);
}

}  // namespace
}  // namespace forgehook::store::sqlite
