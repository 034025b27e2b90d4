// Read-only API tokens (store/token_store.h), the same tests on every backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/digest.h"
#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = sqlite::kT0 / sqlite::kSecond;

class TokenStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::StoreUnderTest::make(GetParam()); }
  std::unique_ptr<testing::StoreUnderTest> store;
};

TEST_P(TokenStoreContract, CreatedTokenIsShownOnceAndStoredOnlyAsItsHash) {
  auto created = store->tokens().createToken("dashboard", kNow);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_TRUE(created->secret.starts_with(kTokenPrefix));
  EXPECT_EQ(created->secret.size(), kTokenPrefix.size() + 64);
  EXPECT_GT(created->info.id, 0);
  EXPECT_EQ(created->info.name, "dashboard");
  EXPECT_EQ(created->info.createdAt, kNow);

  auto other = store->tokens().createToken("dashboard", kNow);  // names need not be unique
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->secret, created->secret);
  EXPECT_NE(other->info.id, created->info.id);
  // The store holds the hash, never the text.
  EXPECT_EQ(store->rawTexts("SELECT secret_sha256 FROM api_tokens ORDER BY id").at(0), core::sha256Hex(created->secret));
  EXPECT_THAT(store->rawTexts("SELECT name || secret_sha256 FROM api_tokens"),
              Each(Not(HasSubstr(created->secret.substr(kTokenPrefix.size())))));
}

TEST_P(TokenStoreContract, ListTokensShowsEveryTokenWithoutItsSecret) {
  ASSERT_TRUE(store->tokens().createToken("a", kNow).has_value());
  auto b = store->tokens().createToken("b", kNow + 5);
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE(store->tokens().revokeToken(b->info.id, kNow + 10).has_value());
  auto listed = store->tokens().listTokens();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "a");
  EXPECT_FALSE((*listed)[0].revokedAt.has_value());
  EXPECT_FALSE((*listed)[0].lastUsedAt.has_value());
  EXPECT_EQ((*listed)[1].name, "b");
  EXPECT_EQ((*listed)[1].createdAt, kNow + 5);
  EXPECT_EQ((*listed)[1].revokedAt, kNow + 10);
}

TEST_P(TokenStoreContract, AuthenticateFindsOnlyALiveTokenByItsExactText) {
  auto created = store->tokens().createToken("ci", kNow);
  ASSERT_TRUE(created.has_value());
  auto found = store->tokens().authenticate(created->secret, kNow);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, created->info.id);
  EXPECT_EQ((*found)->name, "ci");

  std::string altered = created->secret;
  altered.back() = altered.back() == '0' ? '1' : '0';
  for (const std::string& wrong : {altered, created->secret.substr(kTokenPrefix.size()), std::string(kTokenPrefix),
                                   std::string(), core::sha256Hex(created->secret)}) {
    auto refused = store->tokens().authenticate(wrong, kNow);
    ASSERT_TRUE(refused.has_value()) << wrong;
    EXPECT_FALSE(refused->has_value()) << wrong;
  }

  ASSERT_TRUE(store->tokens().revokeToken(created->info.id, kNow + 1).has_value());
  auto revoked = store->tokens().authenticate(created->secret, kNow + 2);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_FALSE(revoked->has_value());
}

TEST_P(TokenStoreContract, AuthenticateUpdatesLastUsedAtMostOnceAMinute) {
  auto created = store->tokens().createToken("ci", kNow);
  ASSERT_TRUE(created.has_value());
  auto lastUsed = [&] { return store->tokens().listTokens().value().at(0).lastUsedAt; };
  EXPECT_FALSE(lastUsed().has_value());

  ASSERT_TRUE(store->tokens().authenticate(created->secret, kNow + 10).value().has_value());
  EXPECT_EQ(lastUsed(), kNow + 10);
  ASSERT_TRUE(store->tokens().authenticate(created->secret, kNow + 69).value().has_value());
  EXPECT_EQ(lastUsed(), kNow + 10);  // within the minute: no write
  auto later = store->tokens().authenticate(created->secret, kNow + 70);
  ASSERT_TRUE(later.value().has_value());
  EXPECT_EQ((*later)->lastUsedAt, kNow + 70);
  EXPECT_EQ(lastUsed(), kNow + 70);
}

TEST_P(TokenStoreContract, RevokingIsIdempotentAndUnknownIdsAreNotFound) {
  auto created = store->tokens().createToken("ci", kNow);
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(store->tokens().revokeToken(created->info.id, kNow + 1).has_value());
  ASSERT_TRUE(store->tokens().revokeToken(created->info.id, kNow + 2).has_value());
  EXPECT_EQ(store->tokens().listTokens().value().at(0).revokedAt, kNow + 1);

  for (std::int64_t id : {created->info.id + 1, std::int64_t{0}, std::int64_t{-1}}) {
    const auto missing = store->tokens().revokeToken(id, kNow);
    ASSERT_FALSE(missing.has_value()) << id;
    EXPECT_EQ(missing.error().code, core::Code::NotFound);
  }
}

TEST_P(TokenStoreContract, TokensSurviveAReopen) {
  auto created = store->tokens().createToken("ci", kNow);
  ASSERT_TRUE(created.has_value());
  store->reopen();
  auto found = store->tokens().authenticate(created->secret, kNow);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenStoreContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace forgehook::store
