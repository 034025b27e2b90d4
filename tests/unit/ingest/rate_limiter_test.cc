#include "ingest/rate_limiter.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace forgehook::ingest {
namespace {

TEST(RateLimiterTest, ZeroRateNeverLimits) {
  testing::FakeClock clock;
  RateLimiter limiter(0, 0, clock);
  int retry = 0;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.allow("a", retry));
}

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  testing::FakeClock clock;
  RateLimiter limiter(10, 5, clock);
  int retry = 0;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow("a", retry)) << i;
  EXPECT_FALSE(limiter.allow("a", retry));
  EXPECT_EQ(retry, 1);
  clock.advanceSeconds(0.1);  // one token at 10/s
  EXPECT_TRUE(limiter.allow("a", retry));
  EXPECT_FALSE(limiter.allow("a", retry));
}

TEST(RateLimiterTest, SourcesHaveSeparateBuckets) {
  testing::FakeClock clock;
  RateLimiter limiter(1, 1, clock);
  int retry = 0;
  EXPECT_TRUE(limiter.allow("a", retry));
  EXPECT_FALSE(limiter.allow("a", retry));
  EXPECT_TRUE(limiter.allow("b", retry));
}

TEST(RateLimiterTest, RetryAfterCoversASlowRate) {
  testing::FakeClock clock;
  RateLimiter limiter(0.1, 1, clock);  // one request per 10 s
  int retry = 0;
  EXPECT_TRUE(limiter.allow("a", retry));
  EXPECT_FALSE(limiter.allow("a", retry));
  EXPECT_EQ(retry, 10);
}

}  // namespace
}  // namespace forgehook::ingest
