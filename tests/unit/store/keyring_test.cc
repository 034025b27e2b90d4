#include "store/keyring.h"

#include <gtest/gtest.h>

namespace forgehook::store {
namespace {

core::SecretKey key(char first) {
  std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  hex[0] = first;
  return *core::parseSecretKey(hex);
}

TEST(Keyring, SealsUnderTheCurrentKeyAndOpens) {
  const Keyring keyring(key('0'));
  const auto sealed = keyring.seal("s3cret");
  EXPECT_EQ(core::sealedKeyId(sealed), key('0').id);
  EXPECT_EQ(keyring.currentKeyId(), key('0').id);
  EXPECT_EQ(*keyring.open(sealed), "s3cret");
}

TEST(Keyring, OpensValuesOfPreviousKeys) {
  const Keyring old(key('1'));
  const auto sealed = old.seal("old value");
  const Keyring keyring(key('0'), {key('1')});
  EXPECT_EQ(*keyring.open(sealed), "old value");
}

TEST(Keyring, UnknownKeyIdIsACleanErrorNamingTheId) {
  const Keyring old(key('1'));
  const auto sealed = old.seal("old value");
  const Keyring keyring(key('0'));
  const auto opened = keyring.open(sealed);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, core::Code::Internal);
  EXPECT_EQ(opened.error().reason, "secret_undecryptable");
  EXPECT_NE(opened.error().message.find(key('1').id), std::string::npos) << opened.error().message;
  EXPECT_EQ(opened.error().message.find("old value"), std::string::npos);
}

TEST(Keyring, PlainTextDoesNotOpen) {
  const Keyring keyring(key('0'));
  const auto opened = keyring.open("whsec_plain");
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().reason, "secret_undecryptable");
  EXPECT_EQ(opened.error().message.find("whsec_plain"), std::string::npos);
}

TEST(Keyring, NeedsResealingPlainAndNonCurrentValuesOnly) {
  const Keyring old(key('1'));
  const Keyring keyring(key('0'), {key('1')});
  EXPECT_TRUE(keyring.needsResealing("whsec_plain"));
  EXPECT_TRUE(keyring.needsResealing("[\"a\"]"));
  EXPECT_TRUE(keyring.needsResealing(old.seal("x")));
  EXPECT_FALSE(keyring.needsResealing(keyring.seal("x")));
}

TEST(Keyring, RotationMakesTheNewKeyCurrentAndKeepsTheOldOne) {
  Keyring keyring(key('0'));
  const auto before = keyring.seal("before");
  keyring.rotateTo(key('1'));
  EXPECT_EQ(keyring.currentKeyId(), key('1').id);
  EXPECT_EQ(core::sealedKeyId(keyring.seal("after")), key('1').id);
  EXPECT_EQ(*keyring.open(before), "before");
  EXPECT_TRUE(keyring.needsResealing(before));
}

}  // namespace
}  // namespace forgehook::store
