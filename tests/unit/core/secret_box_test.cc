#include "core/secret_box.h"

#include <gtest/gtest.h>

#include <string>

namespace forgehook::core {
namespace {

constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kOtherHexKey = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

SecretKey key(const char* hex = kHexKey) {
  auto k = parseSecretKey(hex);
  EXPECT_TRUE(k.has_value());
  return *k;
}

// The base64 part of a sealed value, decoded, one byte flipped, encoded again.
std::string flipByte(const std::string& sealed, std::size_t byteIndex) {
  const std::size_t start = sealed.rfind(':') + 1;
  std::string text = sealed;
  // Flipping one bit of a base64 character's 6 changes exactly one decoded byte.
  char& c = text[start + byteIndex * 4 / 3];
  c = c == 'A' ? 'B' : 'A';
  return text;
}

TEST(SecretBox, RoundTripsAnyValue) {
  for (const std::string& plain :
       {std::string(), std::string("whsec_abc"), std::string(1000, 'x'), std::string("\0bin\xff", 5)}) {
    const auto sealed = sealWith(key(), plain);
    const auto opened = openWith(key(), sealed);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBox, SealedTextHasThePrefixTheKeyIdAndNoPlainText) {
  const auto k = key();
  const auto sealed = sealWith(k, "very-secret-value");
  EXPECT_EQ(sealed.substr(0, 13), "fh1:" + k.id + ":");
  EXPECT_EQ(sealed.find("very-secret-value"), std::string::npos);
  EXPECT_TRUE(isSealed(sealed));
  EXPECT_EQ(sealedKeyId(sealed), k.id);
}

TEST(SecretBox, KeyIdIsTheFirstEightHexOfTheKeysSha256) {
  // sha256 of the bytes 00..1f: 630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd
  EXPECT_EQ(key().id, "630dcd29");
  EXPECT_NE(key(kOtherHexKey).id, key().id);
}

TEST(SecretBox, SamePlainTextSealsDifferentlyEachTime) {
  const auto a = sealWith(key(), "same");
  const auto b = sealWith(key(), "same");
  EXPECT_NE(a, b);  // a fresh nonce per value
  EXPECT_EQ(*openWith(key(), a), *openWith(key(), b));
}

TEST(SecretBox, TamperingWithAnyPartIsDetected) {
  const auto sealed = sealWith(key(), "the secret");
  // nonce (byte 0), ciphertext (byte 14), tag (last bytes)
  for (std::size_t byte : {0u, 14u, 12u + 10u + 8u}) {
    const auto tampered = flipByte(sealed, byte);
    ASSERT_NE(tampered, sealed);
    const auto opened = openWith(key(), tampered);
    ASSERT_FALSE(opened.has_value()) << "byte " << byte;
    EXPECT_EQ(opened.error().code, Code::Internal);
    EXPECT_EQ(opened.error().reason, "secret_undecryptable");
    EXPECT_NE(opened.error().message.find(key().id), std::string::npos) << opened.error().message;
    EXPECT_EQ(opened.error().message.find("the secret"), std::string::npos);
  }
}

TEST(SecretBox, TruncatedOrMalformedValuesAreErrorsNotCrashes) {
  const auto sealed = sealWith(key(), "the secret");
  for (const std::string& bad : {sealed.substr(0, 14), sealed.substr(0, sealed.size() - 4), sealed + "!!!!",
                                 "fh1:" + key().id + ":", "fh1:" + key().id + ":AAAA"}) {
    const auto opened = openWith(key(), bad);
    ASSERT_FALSE(opened.has_value()) << bad;
    EXPECT_EQ(opened.error().reason, "secret_undecryptable");
  }
}

TEST(SecretBox, AnotherKeyCannotOpen) {
  const auto sealed = sealWith(key(), "the secret");
  const auto opened = openWith(key(kOtherHexKey), sealed);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().reason, "secret_undecryptable");
  EXPECT_NE(opened.error().message.find(key().id), std::string::npos);
}

TEST(SecretBox, TheKeyIdIsAuthenticated) {
  // A value relabelled with another key's id fails even under a key with that id: the id is AAD.
  const auto a = key();
  auto relabelledKey = a;
  relabelledKey.id = key(kOtherHexKey).id;
  std::string sealed = sealWith(a, "the secret");
  sealed.replace(4, 8, relabelledKey.id);
  const auto opened = openWith(relabelledKey, sealed);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().reason, "secret_undecryptable");
}

TEST(SecretBox, PlainTextIsNotSealed) {
  for (const char* plain :
       {"", "whsec_abc", "[\"a\",\"b\"]", "fh1:", "fh1:zzzzzzzz:abc", "fh1:630dcd29abc", "fh1:630DCD29:abc"})
    EXPECT_FALSE(isSealed(plain)) << plain;
}

TEST(SecretBox, ParsesHexAndBase64Keys) {
  const auto hex = parseSecretKey(kHexKey);
  // base64 of the bytes 00..1f
  const auto b64 = parseSecretKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  ASSERT_TRUE(hex.has_value());
  ASSERT_TRUE(b64.has_value());
  EXPECT_EQ(hex->bytes, b64->bytes);
  EXPECT_EQ(secretKeyHex(*hex), kHexKey);
  EXPECT_TRUE(parseSecretKey(std::string(kHexKey) + "\n").has_value());  // a key file's newline
}

TEST(SecretBox, RejectsMalformedKeysWithoutEchoingThem) {
  for (const char* bad :
       {"", "short", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", "not base64 at all but long enough!!!!!!!!!!"}) {
    const auto k = parseSecretKey(bad);
    ASSERT_FALSE(k.has_value()) << bad;
    EXPECT_EQ(k.error().reason, "malformed_master_key");
    if (std::string(bad).size() > 4) {
      EXPECT_EQ(k.error().message.find(bad), std::string::npos);
    }
  }
}

TEST(SecretBox, GeneratedKeysDiffer) {
  const auto a = generateSecretKey();
  const auto b = generateSecretKey();
  EXPECT_NE(a.bytes, b.bytes);
  EXPECT_EQ(a.id.size(), 8u);
}

}  // namespace
}  // namespace forgehook::core
