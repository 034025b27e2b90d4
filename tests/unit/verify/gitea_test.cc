#include "verify/gitea.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace forgehook::verify {
namespace {

const std::vector<std::string> kSecrets = {"gitea-secret"};
constexpr std::string_view kJson = R"({"ref":"refs/heads/main","after":"abc"})";

int spyCalls = 0;
bool spyEquals(std::string_view a, std::string_view b) {
  ++spyCalls;
  return constantTimeEquals(a, b);
}
bool alwaysUnequal(std::string_view, std::string_view) { return false; }

TEST(GiteaTest, SignatureIsBareHexHmacSha256) {
  EXPECT_EQ(signGitea("It's a Secret to Everybody", "Hello, World!"),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(GiteaTest, VerifiesSignatureOverJson) {
  const Outcome outcome = verifyGitea(signGitea(kSecrets[0], kJson), kJson, kSecrets);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->scheme, "gitea-sha256");
  EXPECT_EQ(outcome->secretIndex, 0u);
}

TEST(GiteaTest, AcceptsUpperCaseHex) {
  std::string upper = signGitea(kSecrets[0], kJson);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  EXPECT_TRUE(verifyGitea(upper, kJson, kSecrets).has_value());
}

TEST(GiteaTest, FormHookStillSignsTheJsonNotTheEncodedForm) {
  constexpr std::string_view kFormBody = "payload=%7B%22a%22%3A1%7D";
  constexpr std::string_view kDecodedJson = R"({"a":1})";
  const std::string signature = signGitea(kSecrets[0], kDecodedJson);
  EXPECT_TRUE(verifyGitea(signature, kDecodedJson, kSecrets).has_value());
  EXPECT_EQ(verifyGitea(signature, kFormBody, kSecrets).error(), Failure::Mismatch);
}

TEST(GiteaTest, WrongSecretIsMismatch) {
  const std::vector<std::string> wrong = {"other"};
  EXPECT_EQ(verifyGitea(signGitea(kSecrets[0], kJson), kJson, wrong).error(), Failure::Mismatch);
}

TEST(GiteaTest, EmptyHeaderIsMissing) { EXPECT_EQ(verifyGitea("", kJson, kSecrets).error(), Failure::Missing); }

TEST(GiteaTest, PrefixedOrWrongLengthIsMalformed) {
  const std::string hex = signGitea(kSecrets[0], kJson);
  EXPECT_EQ(verifyGitea("sha256=" + hex, kJson, kSecrets).error(), Failure::Malformed);
  EXPECT_EQ(verifyGitea("sha256=", kJson, kSecrets).error(), Failure::Malformed);
  EXPECT_EQ(verifyGitea(hex.substr(0, 63), kJson, kSecrets).error(), Failure::Malformed);
  EXPECT_EQ(verifyGitea(hex + "0", kJson, kSecrets).error(), Failure::Malformed);
  std::string nonHex = hex;
  nonHex[10] = 'z';
  EXPECT_EQ(verifyGitea(nonHex, kJson, kSecrets).error(), Failure::Malformed);
}

TEST(GiteaTest, RotationReportsWhichSecretMatched) {
  const std::vector<std::string> secrets = {"new", "gitea-secret"};
  const Outcome outcome = verifyGitea(signGitea("gitea-secret", kJson), kJson, secrets);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->secretIndex, 1u);
}

TEST(GiteaTest, ComparisonGoesThroughInjectedEquals) {
  const std::string signature = signGitea(kSecrets[0], kJson);
  spyCalls = 0;
  EXPECT_TRUE(verifyGitea(signature, kJson, kSecrets, spyEquals).has_value());
  EXPECT_EQ(verifyGitea(signature, "tampered", kSecrets, spyEquals).error(), Failure::Mismatch);
  EXPECT_GE(spyCalls, 2);
  EXPECT_EQ(verifyGitea(signature, kJson, kSecrets, alwaysUnequal).error(), Failure::Mismatch);
}

}  // namespace
}  // namespace forgehook::verify
