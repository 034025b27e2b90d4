// The GitHub App JWT: RS256 signature that verifies with the App's public key, header and claims.
#include "forge/app_jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "forge/test_rsa_key.h"

namespace forgehook::forge {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

std::vector<std::string> splitDots(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    parts.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(token.substr(start));
  return parts;
}

TEST(AppJwtTest, Base64UrlHasNoPaddingAndUrlSafeLetters) {
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(AppJwtTest, SignsHeaderAndClaimsWithRs256) {
  const auto jwt = makeAppJwt("123456", testRsaKey().privatePem, kNow);
  ASSERT_TRUE(jwt) << jwt.error().message;
  const auto parts = splitDots(*jwt);
  ASSERT_EQ(parts.size(), 3u);

  const auto header = nlohmann::json::parse(base64UrlDecode(parts[0]));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["typ"], "JWT");
  const auto claims = nlohmann::json::parse(base64UrlDecode(parts[1]));
  EXPECT_EQ(claims["iat"], kNow - 60);
  EXPECT_EQ(claims["exp"], kNow + 540);
  EXPECT_EQ(claims["iss"], 123456);

  EXPECT_TRUE(verifyRs256(parts[0] + "." + parts[1], base64UrlDecode(parts[2])));
  EXPECT_FALSE(verifyRs256(parts[0] + "." + parts[1] + "x", base64UrlDecode(parts[2])));
}

TEST(AppJwtTest, AClientIdIsSentAsAString) {
  const auto jwt = makeAppJwt("Iv1.abc123", testRsaKey().privatePem, kNow);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(nlohmann::json::parse(base64UrlDecode(splitDots(*jwt)[1]))["iss"], "Iv1.abc123");
}

TEST(AppJwtTest, RefusesWhatIsNotAnRsaPrivateKey) {
  const auto notPem = makeAppJwt("1", "not a key", kNow);
  ASSERT_FALSE(notPem);
  EXPECT_EQ(notPem.error().reason, "invalid_app_key");
  EXPECT_FALSE(checkAppPrivateKey(testRsaKey().publicPem));
  EXPECT_TRUE(checkAppPrivateKey(testRsaKey().privatePem));
}

}  // namespace
}  // namespace forgehook::forge
