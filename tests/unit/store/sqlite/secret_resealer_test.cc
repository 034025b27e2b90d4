// Resealing at start and after a rotation: plain text left by an earlier version and values under a
// previous key are sealed under the current key in every secret column; values already current are
// left alone; a value no loaded key opens fails the whole reseal without writing anything.
#include "store/sqlite/secret_resealer.h"

#include <gtest/gtest.h>

#include "store/sqlite/subscription_store.h"
#include "support/raw_sqlite.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

constexpr const char* kOldKey = "aa0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kNewKey = "bb0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class SecretResealerTest : public SqliteTest {
 protected:
  // One row in every table with secret columns, each column holding `value(column)`.
  void insertRows(const std::function<std::string(const std::string&)>& value) {
    testing::rawExec(
        dbPath(),
        "INSERT INTO scoped_secrets (forge, scope, key, secrets, updated_at) VALUES ('github', 'hook', "
        "'1', '" +
            value("[\"hook-secret\"]") +
            "', 0);"
            "INSERT INTO subscriptions (url, resources, actions, secret, cursor, created_at, updated_at) "
            "VALUES ('https://example.com', '[]', '[]', '" +
            value("whsec_sub") +
            "', 0, 0, 0);"
            "INSERT INTO connections (forge, kind, target, secret_sealed, previous_secret_sealed, "
            "created_at, updated_at) VALUES ('github', 'repository', 'o/r', '" +
            value("conn-secret") + "', '" + value("conn-previous") +
            "', 0, 0);"
            "INSERT INTO connections (forge, kind, target, created_at, updated_at) VALUES ('github', "
            "'repository', 'o/no-secret', 0, 0);"
            "INSERT INTO forge_credentials (forge, api_url, kind, token_sealed, app_private_key_sealed, "
            "app_webhook_secret_sealed, created_at, updated_at) VALUES ('github', 'https://api', 'app', '" +
            value("token") + "', '" + value("private-key") + "', '" + value("app-secret") + "', 0, 0);");
  }
  std::vector<std::string> allSecretColumns() {
    std::vector<std::string> out;
    for (const char* sql :
         {"SELECT secrets FROM scoped_secrets", "SELECT secret FROM subscriptions",
          "SELECT secret_sealed FROM connections WHERE secret_sealed IS NOT NULL",
          "SELECT previous_secret_sealed FROM connections WHERE previous_secret_sealed IS NOT NULL",
          "SELECT token_sealed FROM forge_credentials", "SELECT app_private_key_sealed FROM forge_credentials",
          "SELECT app_webhook_secret_sealed FROM forge_credentials"})
      for (auto& v : testing::rawTexts(dbPath(), sql)) out.push_back(std::move(v));
    return out;
  }
  const std::vector<std::string> kPlain = {"[\"hook-secret\"]", "whsec_sub", "conn-secret", "conn-previous", "token",
                                           "private-key",       "app-secret"};
};

TEST_F(SecretResealerTest, SealsPlainTextInEveryColumnAndKeepsTheValues) {
  auto store = open();
  insertRows([](const std::string& plain) { return plain; });
  const Keyring keyring(testing::testKey(kNewKey));
  SqliteSecretResealer resealer(store->db, keyring);
  const auto resealed = resealer.resealStale();
  ASSERT_TRUE(resealed.has_value()) << resealed.error().message;
  EXPECT_EQ(*resealed, 7);
  const auto stored = allSecretColumns();
  ASSERT_EQ(stored.size(), kPlain.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(core::sealedKeyId(stored[i]), keyring.currentKeyId()) << stored[i];
    EXPECT_EQ(*keyring.open(stored[i]), kPlain[i]);
  }
  // Everything current now: a second pass writes nothing.
  EXPECT_EQ(*resealer.resealStale(), 0);
}

TEST_F(SecretResealerTest, ResealsValuesOfAPreviousKeyUnderTheCurrentOne) {
  auto store = open();
  const Keyring old(testing::testKey(kOldKey));
  insertRows([&](const std::string& plain) { return old.seal(plain); });
  const Keyring keyring(testing::testKey(kNewKey), {testing::testKey(kOldKey)});
  SqliteSecretResealer resealer(store->db, keyring);
  ASSERT_EQ(*resealer.resealStale(), 7);
  const auto stored = allSecretColumns();
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(core::sealedKeyId(stored[i]), keyring.currentKeyId());
    // The new key alone opens them: the old one can be dropped.
    EXPECT_EQ(*Keyring(testing::testKey(kNewKey)).open(stored[i]), kPlain[i]);
  }
}

TEST_F(SecretResealerTest, AValueNoKeyOpensFailsTheWholeResealNamingTheKeyId) {
  auto store = open();
  const Keyring old(testing::testKey(kOldKey));
  insertRows([](const std::string& plain) { return plain; });
  testing::rawExec(dbPath(), "UPDATE forge_credentials SET token_sealed = '" + old.seal("token") + "'");
  const Keyring keyring(testing::testKey(kNewKey));  // the old key is not loaded: a wrong master key
  SqliteSecretResealer resealer(store->db, keyring);
  const auto resealed = resealer.resealStale();
  ASSERT_FALSE(resealed.has_value());
  EXPECT_EQ(resealed.error().reason, "secret_undecryptable");
  EXPECT_NE(resealed.error().message.find(old.currentKeyId()), std::string::npos) << resealed.error().message;
  // Rolled back: the plain rows were not sealed either.
  EXPECT_EQ(testing::rawTexts(dbPath(), "SELECT secret FROM subscriptions")[0], "whsec_sub");
}

TEST_F(SecretResealerTest, SubscriptionSecretsAreSealedOnCreateAndOnRotation) {
  auto store = open();
  SqliteSubscriptionStore subs(store->db, testing::testKeyring());
  const auto created =
      subs.create({.url = "https://example.com/hook", .resources = {"deliveries"}}, "whsec_plainsub", kT0);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  auto raw = testing::rawTexts(dbPath(), "SELECT secret FROM subscriptions");
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_TRUE(core::isSealed(raw[0]));
  EXPECT_EQ(raw[0].find("whsec_plainsub"), std::string::npos);
  ASSERT_TRUE(subs.rotateSecret(created->id, "whsec_rotated", kT0).has_value());
  raw = testing::rawTexts(dbPath(), "SELECT secret FROM subscriptions");
  EXPECT_EQ(*testing::testKeyring().open(raw[0]), "whsec_rotated");
}

}  // namespace
}  // namespace forgehook::store::sqlite
