#include "ingest/failure_throttle.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace forgehook::ingest {
namespace {

TEST(FailureThrottleTest, ZeroBurstNeverThrottles) {
  testing::FakeClock clock;
  FailureThrottle throttle(6, 0, clock);
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(throttle.recordFailure("a").throttled);
}

TEST(FailureThrottleTest, BurstThenOneFailureBackPerRefill) {
  testing::FakeClock clock;
  FailureThrottle throttle(6, 10, clock);  // one failure back every 10 s
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(throttle.recordFailure("a").throttled) << i;
  auto verdict = throttle.recordFailure("a");
  EXPECT_TRUE(verdict.throttled);
  EXPECT_EQ(verdict.retryAfterSeconds, 10);
  clock.advanceSeconds(9);
  EXPECT_TRUE(throttle.recordFailure("a").throttled);
  clock.advanceSeconds(1);
  EXPECT_FALSE(throttle.recordFailure("a").throttled);
  EXPECT_TRUE(throttle.recordFailure("a").throttled);
}

TEST(FailureThrottleTest, AddressesAreCountedApart) {
  testing::FakeClock clock;
  FailureThrottle throttle(6, 1, clock);
  EXPECT_FALSE(throttle.recordFailure("a").throttled);
  EXPECT_TRUE(throttle.recordFailure("a").throttled);
  EXPECT_FALSE(throttle.recordFailure("b").throttled);
}

TEST(FailureThrottleTest, ReportsTheFirstThrottledFailureOfEachMinute) {
  testing::FakeClock clock;
  FailureThrottle throttle(0.5, 1, clock);  // slow refill: the address stays throttled for minutes
  EXPECT_FALSE(throttle.recordFailure("a").report);
  EXPECT_TRUE(throttle.recordFailure("a").report);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(throttle.recordFailure("a").report) << i;
  EXPECT_TRUE(throttle.recordFailure("b").throttled == false);
  EXPECT_TRUE(throttle.recordFailure("b").report);  // another address has its own minute
  clock.advanceSeconds(59);
  EXPECT_FALSE(throttle.recordFailure("a").report);
  clock.advanceSeconds(1);
  EXPECT_TRUE(throttle.recordFailure("a").report);
}

TEST(FailureThrottleTest, ThrottledFailuresDoNotExtendTheWait) {
  testing::FakeClock clock;
  FailureThrottle throttle(6, 1, clock);
  EXPECT_FALSE(throttle.recordFailure("a").throttled);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(throttle.recordFailure("a").throttled);
  clock.advanceSeconds(10);
  EXPECT_FALSE(throttle.recordFailure("a").throttled);
}

}  // namespace
}  // namespace forgehook::ingest
