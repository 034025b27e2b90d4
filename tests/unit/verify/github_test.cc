#include "verify/github.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace forgehook::verify {
namespace {

const std::vector<std::string> kSecrets = {"It's a Secret to Everybody"};
constexpr std::string_view kBody = "Hello, World!";
constexpr std::string_view kDocumentedSignature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

int spyCalls = 0;
bool spyEquals(std::string_view a, std::string_view b) {
  ++spyCalls;
  return constantTimeEquals(a, b);
}
bool alwaysUnequal(std::string_view, std::string_view) { return false; }

TEST(GithubTest, SignsGithubsDocumentedVector) {
  EXPECT_EQ(signGithubSha256(kSecrets[0], kBody), kDocumentedSignature);
}

TEST(GithubTest, VerifiesGithubsDocumentedVector) {
  const Outcome outcome = verifyGithub(kDocumentedSignature, "", kBody, kSecrets, false);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->scheme, "sha256");
  EXPECT_EQ(outcome->secretIndex, 0u);
}

TEST(GithubTest, AcceptsUpperCaseHex) {
  const std::string upper = "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17";
  EXPECT_TRUE(verifyGithub(upper, "", kBody, kSecrets, false).has_value());
}

TEST(GithubTest, WrongSecretIsMismatch) {
  const std::vector<std::string> wrong = {"not the secret"};
  EXPECT_EQ(verifyGithub(kDocumentedSignature, "", kBody, wrong, false).error(), Failure::Mismatch);
}

TEST(GithubTest, TamperedBodyIsMismatch) {
  EXPECT_EQ(verifyGithub(kDocumentedSignature, "", "Hello, World?", kSecrets, false).error(), Failure::Mismatch);
}

TEST(GithubTest, NoHeaderIsMissing) {
  EXPECT_EQ(verifyGithub("", "", kBody, kSecrets, true).error(), Failure::Missing);
}

TEST(GithubTest, MissingPrefixIsMalformed) {
  const std::string bare(kDocumentedSignature.substr(7));
  EXPECT_EQ(verifyGithub(bare, "", kBody, kSecrets, false).error(), Failure::Malformed);
  EXPECT_EQ(verifyGithub("sha1=" + bare, "", kBody, kSecrets, false).error(), Failure::Malformed);
}

TEST(GithubTest, BadHexIsMalformed) {
  EXPECT_EQ(verifyGithub("sha256=", "", kBody, kSecrets, false).error(), Failure::Malformed);
  EXPECT_EQ(verifyGithub("sha256=abcd", "", kBody, kSecrets, false).error(), Failure::Malformed);
  std::string nonHex(kDocumentedSignature);
  nonHex.back() = 'g';
  EXPECT_EQ(verifyGithub(nonHex, "", kBody, kSecrets, false).error(), Failure::Malformed);
}

TEST(GithubTest, Sha1AcceptedOnlyWhenAllowed) {
  const std::string sha1 = signGithubSha1(kSecrets[0], kBody);
  ASSERT_TRUE(sha1.starts_with("sha1="));
  ASSERT_EQ(sha1.size(), 5u + 40u);

  const Outcome allowed = verifyGithub("", sha1, kBody, kSecrets, true);
  ASSERT_TRUE(allowed.has_value());
  EXPECT_EQ(allowed->scheme, "sha1");
  EXPECT_EQ(verifyGithub("", sha1, kBody, kSecrets, false).error(), Failure::Missing);
}

TEST(GithubTest, Sha256PreferredWhenBothPresent) {
  const std::string sha1 = signGithubSha1(kSecrets[0], kBody);
  const Outcome outcome = verifyGithub(kDocumentedSignature, sha1, kBody, kSecrets, true);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->scheme, "sha256");
}

TEST(GithubTest, BadSha256IsNotRescuedByGoodSha1) {
  const std::string sha1 = signGithubSha1(kSecrets[0], kBody);
  const std::string wrong256 = signGithubSha256("other", kBody);
  EXPECT_EQ(verifyGithub(wrong256, sha1, kBody, kSecrets, true).error(), Failure::Mismatch);
}

TEST(GithubTest, RotationReportsWhichSecretMatched) {
  const std::vector<std::string> secrets = {"new secret", "It's a Secret to Everybody"};
  const Outcome outcome = verifyGithub(kDocumentedSignature, "", kBody, secrets, false);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->secretIndex, 1u);
}

TEST(GithubTest, NoSecretsIsMismatch) {
  EXPECT_EQ(verifyGithub(kDocumentedSignature, "", kBody, {}, false).error(), Failure::Mismatch);
}

TEST(GithubTest, SignatureCoversRawFormBodyNotDecodedJson) {
  constexpr std::string_view kFormBody = "payload=%7B%22a%22%3A1%7D";
  constexpr std::string_view kDecodedJson = R"({"a":1})";
  const std::string signature = signGithubSha256(kSecrets[0], kFormBody);

  EXPECT_TRUE(verifyGithub(signature, "", kFormBody, kSecrets, false).has_value());
  EXPECT_EQ(verifyGithub(signature, "", kDecodedJson, kSecrets, false).error(), Failure::Mismatch);
}

TEST(GithubTest, ComparisonGoesThroughInjectedEquals) {
  spyCalls = 0;
  const Outcome good = verifyGithub(kDocumentedSignature, "", kBody, kSecrets, false, spyEquals);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good->scheme, "sha256");
  const std::vector<std::string> wrong = {"not the secret"};
  EXPECT_EQ(verifyGithub(kDocumentedSignature, "", kBody, wrong, false, spyEquals).error(), Failure::Mismatch);
  const std::string sha1 = signGithubSha1(kSecrets[0], kBody);
  EXPECT_TRUE(verifyGithub("", sha1, kBody, kSecrets, true, spyEquals).has_value());
  EXPECT_GE(spyCalls, 3);

  // A valid signature is refused when the injected comparison says no: no other path decides.
  EXPECT_EQ(verifyGithub(kDocumentedSignature, "", kBody, kSecrets, false, alwaysUnequal).error(), Failure::Mismatch);
  EXPECT_EQ(verifyGithub("", sha1, kBody, kSecrets, true, alwaysUnequal).error(), Failure::Mismatch);
}

}  // namespace
}  // namespace forgehook::verify
