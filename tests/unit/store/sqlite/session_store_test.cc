#include "store/sqlite/session_store.h"

#include <gtest/gtest.h>

#include "core/digest.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

constexpr std::int64_t kNow = kT0 / kSecond;

SessionRecord adminSession(std::int64_t expiresAt) {
  SessionRecord s;
  s.admin = true;
  s.credentialSha256 = core::sha256Hex("admin-token");
  s.csrfToken = "csrf-1";
  s.createdAt = kNow;
  s.expiresAt = expiresAt;
  return s;
}

TEST_F(SqliteTest, SessionIsFoundByItsIdHashUntilItExpires) {
  auto store = open();
  const auto hash = core::sha256Hex("session-id");
  ASSERT_TRUE(store->sessions.createSession(hash, adminSession(kNow + 100), kNow).has_value());
  auto found = store->sessions.findSession(hash, kNow + 99);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->admin);
  EXPECT_EQ((*found)->csrfToken, "csrf-1");
  EXPECT_EQ((*found)->credentialSha256, core::sha256Hex("admin-token"));
  EXPECT_EQ((*found)->expiresAt, kNow + 100);
  auto expired = store->sessions.findSession(hash, kNow + 100);
  ASSERT_TRUE(expired.has_value());
  EXPECT_FALSE(expired->has_value());
  auto unknown = store->sessions.findSession(core::sha256Hex("other"), kNow);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(SqliteTest, SessionSurvivesReopeningTheDatabase) {
  const auto hash = core::sha256Hex("session-id");
  {
    auto store = open();
    ASSERT_TRUE(store->sessions.createSession(hash, adminSession(kNow + 100), kNow).has_value());
  }
  auto store = open();
  auto found = store->sessions.findSession(hash, kNow + 1);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->has_value());
}

TEST_F(SqliteTest, RevokingTheTokenEndsItsReadOnlySessions) {
  auto store = open();
  auto token = store->tokens.createToken("viewer", kNow);
  ASSERT_TRUE(token.has_value());
  SessionRecord s;
  s.tokenId = token->info.id;
  s.tokenName = "viewer";
  s.csrfToken = "csrf-2";
  s.createdAt = kNow;
  s.expiresAt = kNow + 1000;
  const auto hash = core::sha256Hex("viewer-session");
  ASSERT_TRUE(store->sessions.createSession(hash, s, kNow).has_value());
  auto found = store->sessions.findSession(hash, kNow + 1);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_FALSE((*found)->admin);
  EXPECT_EQ((*found)->tokenId, token->info.id);
  EXPECT_EQ((*found)->tokenName, "viewer");

  ASSERT_TRUE(store->tokens.revokeToken(token->info.id, kNow + 2).has_value());
  auto after = store->sessions.findSession(hash, kNow + 3);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->has_value());
}

TEST_F(SqliteTest, DeletedSessionIsGoneAndExpiredOnesArePrunedOnCreate) {
  auto store = open();
  const auto a = core::sha256Hex("a"), b = core::sha256Hex("b");
  ASSERT_TRUE(store->sessions.createSession(a, adminSession(kNow + 10), kNow).has_value());
  ASSERT_TRUE(store->sessions.deleteSession(a).has_value());
  ASSERT_TRUE(store->sessions.deleteSession(a).has_value());  // again: nothing to do
  auto gone = store->sessions.findSession(a, kNow);
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());

  ASSERT_TRUE(store->sessions.createSession(a, adminSession(kNow + 10), kNow).has_value());
  ASSERT_TRUE(store->sessions.createSession(b, adminSession(kNow + 100), kNow + 20).has_value());
  store.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(dbPath().c_str(), &raw), SQLITE_OK);
  DbHandle db(raw);
  Statement count(db.get(), "SELECT count(*), min(id_sha256) FROM sessions");
  ASSERT_EQ(count.step(), SQLITE_ROW);
  EXPECT_EQ(count.integer(0), 1);
  EXPECT_EQ(count.text(1), b);
}

}  // namespace
}  // namespace forgehook::store::sqlite
