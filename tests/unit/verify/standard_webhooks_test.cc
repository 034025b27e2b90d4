#include "verify/standard_webhooks.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace forgehook::verify {
namespace {

// Published test vector of the Standard Webhooks reference libraries.
const std::vector<std::string> kKeys = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view kTimestamp = "1614265330";
constexpr std::int64_t kNow = 1614265330;
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
constexpr std::int64_t kTolerance = 300;

int spyCalls = 0;
bool spyEquals(std::string_view a, std::string_view b) {
  ++spyCalls;
  return constantTimeEquals(a, b);
}
bool alwaysUnequal(std::string_view, std::string_view) { return false; }

Outcome verifyAt(std::string_view signature, std::string_view timestamp, std::int64_t now,
                 const std::vector<std::string>& keys = kKeys) {
  return verifyStandardWebhook(kId, timestamp, signature, kBody, keys, now, kTolerance);
}

TEST(StandardWebhooksTest, SignsPublishedVector) {
  EXPECT_EQ(signStandardWebhook(kKeys[0], kId, kTimestamp, kBody), kSignature);
}

TEST(StandardWebhooksTest, VerifiesPublishedVector) {
  const Outcome outcome = verifyAt(kSignature, kTimestamp, kNow);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->scheme, "standard-webhooks");
  EXPECT_EQ(outcome->secretIndex, 0u);
}

TEST(StandardWebhooksTest, TamperedBodyOrIdIsMismatch) {
  EXPECT_EQ(
      verifyStandardWebhook(kId, kTimestamp, kSignature, R"({"test": 2432232315})", kKeys, kNow, kTolerance).error(),
      Failure::Mismatch);
  EXPECT_EQ(verifyStandardWebhook("msg_other", kTimestamp, kSignature, kBody, kKeys, kNow, kTolerance).error(),
            Failure::Mismatch);
}

TEST(StandardWebhooksTest, SecondOfSeveralSignaturesMatches) {
  const std::string header = "v1,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8= " + std::string(kSignature);
  EXPECT_TRUE(verifyAt(header, kTimestamp, kNow).has_value());
}

TEST(StandardWebhooksTest, OtherVersionsAreIgnored) {
  const std::string signatureOnly(kSignature.substr(3));
  EXPECT_EQ(verifyAt("v1a," + signatureOnly, kTimestamp, kNow).error(), Failure::Mismatch);
  EXPECT_EQ(verifyAt(signatureOnly, kTimestamp, kNow).error(), Failure::Mismatch);
}

TEST(StandardWebhooksTest, WrongKeyIsMismatch) {
  const std::vector<std::string> other = {"whsec_" + base64Encode("another key of some length")};
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow, other).error(), Failure::Mismatch);
}

TEST(StandardWebhooksTest, RotationReportsWhichKeyMatched) {
  const std::vector<std::string> keys = {"whsec_" + base64Encode("new key"), kKeys[0]};
  const Outcome outcome = verifyAt(kSignature, kTimestamp, kNow, keys);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->secretIndex, 1u);
}

TEST(StandardWebhooksTest, WithinToleranceIsAccepted) {
  EXPECT_TRUE(verifyAt(kSignature, kTimestamp, kNow + kTolerance).has_value());
  EXPECT_TRUE(verifyAt(kSignature, kTimestamp, kNow - kTolerance).has_value());
}

TEST(StandardWebhooksTest, StaleTimestampIsRefusedEvenWithValidMac) {
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow + kTolerance + 1).error(), Failure::Stale);
}

TEST(StandardWebhooksTest, FutureTimestampBeyondToleranceIsStale) {
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow - kTolerance - 1).error(), Failure::Stale);
}

TEST(StandardWebhooksTest, NonNumericTimestampIsMalformed) {
  EXPECT_EQ(verifyAt(kSignature, "16142653x0", kNow).error(), Failure::Malformed);
  EXPECT_EQ(verifyAt(kSignature, "-1614265330", kNow).error(), Failure::Malformed);
  EXPECT_EQ(verifyAt(kSignature, "1614265330.5", kNow).error(), Failure::Malformed);
  EXPECT_EQ(verifyAt(kSignature, "99999999999999999999", kNow).error(), Failure::Malformed);
}

TEST(StandardWebhooksTest, EmptyPartsAreMissing) {
  EXPECT_EQ(verifyAt("", kTimestamp, kNow).error(), Failure::Missing);
  EXPECT_EQ(verifyAt(kSignature, "", kNow).error(), Failure::Missing);
  EXPECT_EQ(verifyStandardWebhook("", kTimestamp, kSignature, kBody, kKeys, kNow, kTolerance).error(),
            Failure::Missing);
}

TEST(StandardWebhooksTest, KeyWithoutPrefixIsMalformed) {
  const std::vector<std::string> bare = {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow, bare).error(), Failure::Malformed);
  EXPECT_EQ(signStandardWebhook(bare[0], kId, kTimestamp, kBody), "");
}

TEST(StandardWebhooksTest, KeyWithBadBase64IsMalformed) {
  const std::vector<std::string> bad = {"whsec_not*base64"};
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow, bad).error(), Failure::Malformed);
  const std::vector<std::string> oneBad = {kKeys[0], "whsec_###"};
  EXPECT_EQ(verifyAt(kSignature, kTimestamp, kNow, oneBad).error(), Failure::Malformed);
}

TEST(StandardWebhooksTest, SignVerifyRoundTrip) {
  const std::vector<std::string> keys = {"whsec_" + base64Encode("a 24-byte key, no less!!")};
  const std::string signature = signStandardWebhook(keys[0], "msg_1", "1700000000", "body bytes");
  ASSERT_TRUE(signature.starts_with("v1,"));
  EXPECT_TRUE(
      verifyStandardWebhook("msg_1", "1700000000", signature, "body bytes", keys, 1700000010, kTolerance).has_value());
  EXPECT_EQ(verifyStandardWebhook("msg_1", "1700000000", signature, "body bytez", keys, 1700000010, kTolerance).error(),
            Failure::Mismatch);
}

TEST(StandardWebhooksTest, ComparisonGoesThroughInjectedEquals) {
  spyCalls = 0;
  EXPECT_TRUE(
      verifyStandardWebhook(kId, kTimestamp, kSignature, kBody, kKeys, kNow, kTolerance, spyEquals).has_value());
  EXPECT_EQ(verifyStandardWebhook(kId, kTimestamp, kSignature, "tampered", kKeys, kNow, kTolerance, spyEquals).error(),
            Failure::Mismatch);
  EXPECT_GE(spyCalls, 2);
  EXPECT_EQ(verifyStandardWebhook(kId, kTimestamp, kSignature, kBody, kKeys, kNow, kTolerance, alwaysUnequal).error(),
            Failure::Mismatch);
}

}  // namespace
}  // namespace forgehook::verify
