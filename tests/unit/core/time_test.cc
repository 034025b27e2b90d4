#include "core/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "support/fake_clock.h"

namespace forgehook::core {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t k20261123T100000 = 1'795'428'000 * kSecond;  // 2026-11-23T10:00:00Z

TEST(TimeTest, FormatsEpoch) { EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00.000000Z"); }

TEST(TimeTest, FormatsWholeSecondsWithoutAFraction) {
  EXPECT_EQ(formatRfc3339Seconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339Seconds(1'700'000'000), "2023-11-14T22:13:20Z");
}

TEST(TimeTest, FormatsMicrosecondsWithSixDigits) {
  EXPECT_EQ(formatRfc3339(1'700'000'000'123'456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(formatRfc3339(k20261123T100000 + 7), "2026-11-23T10:00:00.000007Z");
}

TEST(TimeTest, FormatsLeapDay) { EXPECT_EQ(formatRfc3339(951'868'799 * kSecond), "2000-02-29T23:59:59.000000Z"); }

TEST(TimeTest, ParsesUtcWithZ) {
  EXPECT_EQ(parseTimestamp("2026-11-23T10:00:00Z"), k20261123T100000);
  EXPECT_EQ(parseTimestamp("2026-11-23t10:00:00z"), k20261123T100000);
}

TEST(TimeTest, ParsesFraction) {
  EXPECT_EQ(parseTimestamp("2026-11-23T10:00:00.5Z"), k20261123T100000 + 500'000);
  EXPECT_EQ(parseTimestamp("2026-11-23T10:00:00.123456Z"), k20261123T100000 + 123'456);
  // Digits past microseconds are dropped, not rounded.
  EXPECT_EQ(parseTimestamp("2026-11-23T10:00:00.123456789Z"), k20261123T100000 + 123'456);
}

TEST(TimeTest, ParsesPositiveAndNegativeOffsets) {
  EXPECT_EQ(parseTimestamp("2026-11-23T12:00:00+02:00"), k20261123T100000);
  EXPECT_EQ(parseTimestamp("2026-11-23T04:30:00-05:30"), k20261123T100000);
  EXPECT_EQ(parseTimestamp("2026-11-23T10:00:00+00:00"), k20261123T100000);
  EXPECT_EQ(parseTimestamp("2026-11-23T11:00:00.25+01:00"), k20261123T100000 + 250'000);
}

TEST(TimeTest, OffsetCrossesDayBoundary) { EXPECT_EQ(parseTimestamp("2026-11-24T01:00:00+15:00"), k20261123T100000); }

TEST(TimeTest, ParsesUnixSeconds) {
  EXPECT_EQ(parseTimestamp("1795428000"), k20261123T100000);
  EXPECT_EQ(parseTimestamp("0"), 0);
}

TEST(TimeTest, RejectsMalformedText) {
  for (const char* bad : {
           "",
           "now",
           "1795428000x",
           " 1795428000",
           "1795428000.5",
           "2026-11-23",
           "2026-11-23T10:00:00",       // no zone
           "2026-11-23T10:00Z",         // no seconds
           "2026-11-23T10:00:00.Z",     // empty fraction
           "2026-11-23T10:00:00ZZ",     // trailing text
           "2026-11-23T10:00:00+0200",  // offset without colon
           "2026-11-23T10:00:00+02",    // offset without minutes
           "2026/11/23T10:00:00Z",
           "26-11-23T10:00:00Z",
       }) {
    EXPECT_EQ(parseTimestamp(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(TimeTest, RejectsOutOfRangeFields) {
  for (const char* bad : {
           "2026-13-01T00:00:00Z",
           "2026-00-10T00:00:00Z",
           "2026-02-30T00:00:00Z",
           "2025-02-29T00:00:00Z",
           "2026-11-23T24:00:00Z",
           "2026-11-23T10:60:00Z",
           "2026-11-23T10:00:61Z",
       }) {
    EXPECT_EQ(parseTimestamp(bad), std::nullopt) << '"' << bad << '"';
  }
}

// RFC 3339 fields are digits only; a sign inside a field is malformed text.
TEST(TimeTest, RejectsSignsInsideDigitFields) {
  for (const char* bad : {
           "2026-11-23T-1:00:00Z",
           "2026-11-23T10:-1:00Z",
           "2026-11-23T10:00:-1Z",
           "2026-11-23T10:00:00+-1:00",
           "-100-11-23T10:00:00Z",
       }) {
    EXPECT_EQ(parseTimestamp(bad), std::nullopt) << '"' << bad << '"';
  }
}

// RFC 3339 time-numoffset: hour 00-23, minute 00-59.
TEST(TimeTest, RejectsOutOfRangeOffsets) {
  for (const char* bad : {"2026-11-23T10:00:00+24:00", "2026-11-23T10:00:00+02:60", "2026-11-23T10:00:00-99:99"}) {
    EXPECT_EQ(parseTimestamp(bad), std::nullopt) << '"' << bad << '"';
  }
}

// Unix seconds come from query strings; a value whose microseconds do not fit in 64 bits is not a
// time (and must not overflow).
TEST(TimeTest, RejectsUnixSecondsBeyondMicrosecondRange) {
  EXPECT_EQ(parseTimestamp("9223372036854775807"), std::nullopt);
  EXPECT_EQ(parseTimestamp("-9223372036854775807"), std::nullopt);
}

TEST(TimeTest, FormatThenParseRoundTrips) {
  for (const std::int64_t micros : {std::int64_t{0}, std::int64_t{1}, k20261123T100000, k20261123T100000 + 999'999,
                                    std::int64_t{951'868'799'000'001}, std::int64_t{4'102'444'799'999'999}}) {
    const std::string text = formatRfc3339(micros);
    EXPECT_EQ(parseTimestamp(text), micros) << text;
  }
}

TEST(TimeTest, FakeClockTimeFormatsAndParsesBack) {
  testing::FakeClock clock(k20261123T100000);
  clock.advanceMicros(1'500'000);
  EXPECT_EQ(clock.nowSeconds(), 1'795'428'001);
  const std::string text = formatRfc3339(clock.nowMicros());
  EXPECT_EQ(text, "2026-11-23T10:00:01.500000Z");
  EXPECT_EQ(parseTimestamp(text), clock.nowMicros());
}

}  // namespace
}  // namespace forgehook::core
