#include "verify/hmac.h"

#include <gtest/gtest.h>

#include <string>

namespace forgehook::verify {
namespace {

// RFC 4231 test case 2 and RFC 2202 test case 2.
TEST(HmacTest, Sha256MatchesRfc4231) {
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacTest, Sha1MatchesRfc2202) {
  EXPECT_EQ(hmacSha1Hex("Jefe", "what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(HmacTest, EmptyKeyIsStillAKey) {
  EXPECT_EQ(hmacSha256Hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacTest, RawIsTheBytesBehindTheHex) {
  const std::string raw = hmacSha256Raw("Jefe", "what do ya want for nothing?");
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x5b);
  EXPECT_EQ(static_cast<unsigned char>(raw[31]), 0x43);
}

TEST(ConstantTimeEqualsTest, EqualStrings) { EXPECT_TRUE(constantTimeEquals("abcdef", "abcdef")); }

TEST(ConstantTimeEqualsTest, UnequalSameLength) {
  EXPECT_FALSE(constantTimeEquals("abcdef", "abcdeg"));
  EXPECT_FALSE(constantTimeEquals("xbcdef", "abcdef"));
}

TEST(ConstantTimeEqualsTest, DifferentLengths) {
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(constantTimeEquals("abcd", "abc"));
  EXPECT_FALSE(constantTimeEquals("", "a"));
}

TEST(ConstantTimeEqualsTest, EmptyEqualsEmpty) { EXPECT_TRUE(constantTimeEquals("", "")); }

TEST(SecretEqualsTest, ComparesFixedLengthDigests) {
  EXPECT_TRUE(secretEquals("token-123", "token-123"));
  EXPECT_FALSE(secretEquals("token-123", "token-124"));
  EXPECT_FALSE(secretEquals("token-123", "token-1234"));  // unequal lengths: still a digest compare
  EXPECT_EQ(secretDigest("a").size(), 32u);
  EXPECT_EQ(secretDigest(std::string(1000, 'x')).size(), 32u);
  EXPECT_NE(secretDigest("a"), secretDigest("b"));
}

TEST(ConstantTimeEqualsTest, ComparesEmbeddedNulBytes) {
  EXPECT_FALSE(constantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_TRUE(constantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

// RFC 4648 section 10.
TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodeStripsPaddingBytes) {
  std::string out;
  ASSERT_TRUE(base64Decode("Zg==", out));
  EXPECT_EQ(out, "f");
  ASSERT_TRUE(base64Decode("Zm8=", out));
  EXPECT_EQ(out, "fo");
  ASSERT_TRUE(base64Decode("Zm9vYmFy", out));
  EXPECT_EQ(out, "foobar");
  ASSERT_TRUE(base64Decode("", out));
  EXPECT_EQ(out, "");
}

TEST(Base64Test, RoundTripsBinaryAcrossChunks) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data.push_back(static_cast<char>(i * 7));
  std::string out;
  ASSERT_TRUE(base64Decode(base64Encode(data), out));
  EXPECT_EQ(out, data);
}

TEST(Base64Test, RejectsMalformedInput) {
  std::string out = "untouched";
  EXPECT_FALSE(base64Decode("Zg=", out));       // length not a multiple of 4
  EXPECT_FALSE(base64Decode("Zg", out));        // missing padding
  EXPECT_FALSE(base64Decode("Z===", out));      // too much padding
  EXPECT_FALSE(base64Decode("Zg=a", out));      // padding in the middle
  EXPECT_FALSE(base64Decode("Zm9v!mFy", out));  // outside the alphabet
  EXPECT_FALSE(base64Decode(" Zm9vYmF", out));  // whitespace that OpenSSL would skip
  EXPECT_FALSE(base64Decode("Zm9v-_Fy", out));  // URL-safe alphabet is not standard base64
  EXPECT_EQ(out, "untouched");
}

TEST(NormalizeHexTest, LowerCaseDigitsPassUnchanged) {
  const std::string hex = hmacSha256Hex("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(normalizeHex(hex, 64), hex);
}

TEST(NormalizeHexTest, UpperCaseDigitsAreLowerCased) {
  EXPECT_EQ(normalizeHex("0123456789ABCDEF", 16), "0123456789abcdef");
  EXPECT_EQ(normalizeHex("aBcDeF", 6), "abcdef");
}

TEST(NormalizeHexTest, WrongLengthIsEmpty) {
  EXPECT_EQ(normalizeHex("abcdef", 5), "");
  EXPECT_EQ(normalizeHex("abcdef", 7), "");
  EXPECT_EQ(normalizeHex("", 64), "");
}

TEST(NormalizeHexTest, NonHexCharacterIsEmpty) {
  EXPECT_EQ(normalizeHex("abcdeg", 6), "");
  EXPECT_EQ(normalizeHex("abc def", 7), "");
  EXPECT_EQ(normalizeHex("0x1234", 6), "");
  EXPECT_EQ(normalizeHex("GHIJKL", 6), "");
}

}  // namespace
}  // namespace forgehook::verify
