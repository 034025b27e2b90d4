#include "verify/gitlab.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace forgehook::verify {
namespace {

const std::vector<std::string> kTokens = {"s3cr3t-token"};

int spyCalls = 0;
bool spyEquals(std::string_view a, std::string_view b) {
  ++spyCalls;
  return constantTimeEquals(a, b);
}
bool alwaysUnequal(std::string_view, std::string_view) { return false; }

TEST(GitlabTokenTest, MatchingTokenIsAccepted) {
  const Outcome outcome = verifyGitlabToken("s3cr3t-token", kTokens);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->scheme, "token");
  EXPECT_EQ(outcome->secretIndex, 0u);
}

TEST(GitlabTokenTest, WrongTokenIsMismatch) {
  EXPECT_EQ(verifyGitlabToken("s3cr3t-tokeN", kTokens).error(), Failure::Mismatch);
  EXPECT_EQ(verifyGitlabToken("s3cr3t-token ", kTokens).error(), Failure::Mismatch);
  EXPECT_EQ(verifyGitlabToken("s3cr3t", kTokens).error(), Failure::Mismatch);
}

TEST(GitlabTokenTest, EmptyHeaderIsMissing) {
  EXPECT_EQ(verifyGitlabToken("", kTokens).error(), Failure::Missing);
  // An empty configured token must not turn an absent header into a match.
  const std::vector<std::string> withEmpty = {""};
  EXPECT_EQ(verifyGitlabToken("", withEmpty).error(), Failure::Missing);
}

TEST(GitlabTokenTest, RotationReportsWhichTokenMatched) {
  const std::vector<std::string> tokens = {"new-token", "s3cr3t-token"};
  const Outcome outcome = verifyGitlabToken("s3cr3t-token", tokens);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->secretIndex, 1u);
}

TEST(GitlabTokenTest, ComparisonGoesThroughInjectedEquals) {
  spyCalls = 0;
  EXPECT_TRUE(verifyGitlabToken("s3cr3t-token", kTokens, spyEquals).has_value());
  EXPECT_EQ(verifyGitlabToken("wrong", kTokens, spyEquals).error(), Failure::Mismatch);
  EXPECT_GE(spyCalls, 2);
  EXPECT_EQ(verifyGitlabToken("s3cr3t-token", kTokens, alwaysUnequal).error(), Failure::Mismatch);
}

std::size_t lastLengths[2];
bool lengthRecordingEquals(std::string_view a, std::string_view b) {
  lastLengths[0] = a.size();
  lastLengths[1] = b.size();
  return constantTimeEquals(a, b);
}

TEST(GitlabTokenTest, ComparisonSeesEqualLengthsWhateverTheTokenLength) {
  // A short probe against a long token must not reach a length-dependent early exit.
  EXPECT_EQ(verifyGitlabToken("x", kTokens, lengthRecordingEquals).error(), Failure::Mismatch);
  EXPECT_EQ(lastLengths[0], lastLengths[1]);
  EXPECT_EQ(lastLengths[0], 32u);
}

}  // namespace
}  // namespace forgehook::verify
