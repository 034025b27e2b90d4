// Dashboard sessions (store/session_store.h), the same tests on every backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/digest.h"
#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using ::testing::ElementsAre;

constexpr std::int64_t kNow = sqlite::kT0 / sqlite::kSecond;

class SessionStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::StoreUnderTest::make(GetParam()); }
  std::unique_ptr<testing::StoreUnderTest> store;
};

SessionRecord adminSession(std::int64_t expiresAt) {
  SessionRecord s;
  s.admin = true;
  s.credentialSha256 = core::sha256Hex("admin-token");
  s.csrfToken = "csrf-1";
  s.createdAt = kNow;
  s.expiresAt = expiresAt;
  return s;
}

TEST_P(SessionStoreContract, SessionIsFoundByItsIdHashUntilItExpires) {
  const auto hash = core::sha256Hex("session-id");
  ASSERT_TRUE(store->sessions().createSession(hash, adminSession(kNow + 100), kNow).has_value());
  auto found = store->sessions().findSession(hash, kNow + 99);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->admin);
  EXPECT_EQ((*found)->csrfToken, "csrf-1");
  EXPECT_EQ((*found)->credentialSha256, core::sha256Hex("admin-token"));
  EXPECT_EQ((*found)->expiresAt, kNow + 100);
  auto expired = store->sessions().findSession(hash, kNow + 100);
  ASSERT_TRUE(expired.has_value());
  EXPECT_FALSE(expired->has_value());
  auto unknown = store->sessions().findSession(core::sha256Hex("other"), kNow);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(SessionStoreContract, SessionSurvivesReopeningTheStore) {
  const auto hash = core::sha256Hex("session-id");
  ASSERT_TRUE(store->sessions().createSession(hash, adminSession(kNow + 100), kNow).has_value());
  store->reopen();
  auto found = store->sessions().findSession(hash, kNow + 1);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->has_value());
}

TEST_P(SessionStoreContract, RevokingTheTokenEndsItsReadOnlySessions) {
  auto token = store->tokens().createToken("viewer", kNow);
  ASSERT_TRUE(token.has_value());
  SessionRecord s;
  s.tokenId = token->info.id;
  s.tokenName = "viewer";
  s.csrfToken = "csrf-2";
  s.createdAt = kNow;
  s.expiresAt = kNow + 1000;
  const auto hash = core::sha256Hex("viewer-session");
  ASSERT_TRUE(store->sessions().createSession(hash, s, kNow).has_value());
  auto found = store->sessions().findSession(hash, kNow + 1);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_FALSE((*found)->admin);
  EXPECT_EQ((*found)->tokenId, token->info.id);
  EXPECT_EQ((*found)->tokenName, "viewer");

  ASSERT_TRUE(store->tokens().revokeToken(token->info.id, kNow + 2).has_value());
  auto after = store->sessions().findSession(hash, kNow + 3);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->has_value());
}

TEST_P(SessionStoreContract, DeletedSessionIsGoneAndExpiredOnesArePrunedOnCreate) {
  const auto a = core::sha256Hex("a"), b = core::sha256Hex("b");
  ASSERT_TRUE(store->sessions().createSession(a, adminSession(kNow + 10), kNow).has_value());
  ASSERT_TRUE(store->sessions().deleteSession(a).has_value());
  ASSERT_TRUE(store->sessions().deleteSession(a).has_value());  // again: nothing to do
  auto gone = store->sessions().findSession(a, kNow);
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());

  ASSERT_TRUE(store->sessions().createSession(a, adminSession(kNow + 10), kNow).has_value());
  ASSERT_TRUE(store->sessions().createSession(b, adminSession(kNow + 100), kNow + 20).has_value());
  EXPECT_THAT(store->rawTexts("SELECT id_sha256 FROM sessions"), ElementsAre(b));
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace forgehook::store
