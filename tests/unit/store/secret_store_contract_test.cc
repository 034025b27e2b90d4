// Stored webhook secrets (store/secret_store.h), the same tests on every backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using ::testing::ElementsAre;

class SecretStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::StoreUnderTest::make(GetParam()); }
  std::unique_ptr<testing::StoreUnderTest> store;
};

TEST_P(SecretStoreContract, PutLoadAndDeleteSecrets) {
  ASSERT_TRUE(store->secrets().putSecrets({"github", "hook", "123", {"current", "previous"}}).has_value());
  ASSERT_TRUE(
      store->secrets().putSecrets({"github", "repository", "Codertocat/Hello-World", {"repo-secret"}}).has_value());

  auto loaded = store->secrets().loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].scope, "hook");
  EXPECT_EQ((*loaded)[0].key, "123");
  EXPECT_THAT((*loaded)[0].secrets, ElementsAre("current", "previous"));
  EXPECT_EQ((*loaded)[1].forge, "github");
  EXPECT_EQ((*loaded)[1].scope, "repository");
  EXPECT_EQ((*loaded)[1].key, "Codertocat/Hello-World");
  EXPECT_THAT((*loaded)[1].secrets, ElementsAre("repo-secret"));

  // Putting again replaces the list.
  ASSERT_TRUE(store->secrets().putSecrets({"github", "hook", "123", {"rotated"}}).has_value());
  loaded = store->secrets().loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_THAT((*loaded)[0].secrets, ElementsAre("rotated"));

  ASSERT_TRUE(store->secrets().deleteSecrets("github", "hook", "123").has_value());
  loaded = store->secrets().loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].scope, "repository");
}

TEST_P(SecretStoreContract, DeletingMissingSecretsIsNotFound) {
  ASSERT_TRUE(store->secrets().putSecrets({"github", "hook", "123", {"s"}}).has_value());
  for (const auto& [forge, scope, key] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"github", "hook", "999"}, {"gitlab", "hook", "123"}, {"github", "repository", "123"}}) {
    const auto result = store->secrets().deleteSecrets(forge, scope, key);
    ASSERT_FALSE(result.has_value()) << forge << " " << scope << " " << key;
    EXPECT_EQ(result.error().code, core::Code::NotFound);
  }
  ASSERT_TRUE(store->secrets().deleteSecrets("github", "hook", "123").has_value());
  const auto twice = store->secrets().deleteSecrets("github", "hook", "123");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, core::Code::NotFound);
}

TEST_P(SecretStoreContract, ASecretNoLoadedKeyOpensIsAnErrorNamingTheKeyId) {
  const Keyring other(testing::testKey("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  store->rawExec("INSERT INTO scoped_secrets (forge, scope, key, secrets, updated_at) VALUES ('github', "
                             "'hook', '1', '" + other.seal("[\"x\"]") + "', 0)");
  const auto loaded = store->secrets().loadSecrets();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().reason, "secret_undecryptable");
  EXPECT_NE(loaded.error().message.find(other.currentKeyId()), std::string::npos) << loaded.error().message;
}

TEST_P(SecretStoreContract, TheStoreHoldsSecretsOnlySealed) {
  const std::string secret = "plain-hook-secret-5f1e2d3c";
  ASSERT_TRUE(store->secrets().putSecrets({"github", "hook", "123", {secret, secret + "-previous"}}).has_value());
  const auto raw = store->rawTexts("SELECT secrets FROM scoped_secrets");
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_TRUE(raw[0].starts_with("fh1:" + testing::testKey().id + ":")) << raw[0];
  EXPECT_EQ(raw[0].find(secret), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecretStoreContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace forgehook::store
