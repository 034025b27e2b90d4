// The per-credential rate budget: what it learns from x-ratelimit-* headers, waiting for a reset,
// failing fast when the reset is too far, secondary limits with and without Retry-After.
#include "forge/rate_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "forge/fake_forge_http.h"

namespace forgehook::forge {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

HttpResponse answer(int status, HeaderList headers, std::string body = {}) {
  return HttpResponse{status, std::move(headers), std::move(body), 1};
}

HeaderList limits(std::int64_t remaining, std::int64_t reset) {
  return {{"x-ratelimit-limit", "5000"},
          {"x-ratelimit-remaining", std::to_string(remaining)},
          {"x-ratelimit-used", std::to_string(5000 - remaining)},
          {"x-ratelimit-reset", std::to_string(reset)}};
}

class RateBudgetTest : public ::testing::Test {
 protected:
  testing::FakeClock clock{kNow * 1'000'000};
  RecordingSleeper sleeps{clock};
  RateBudget budget{"github", "token", clock, sleeps.sleeper()};
};

TEST_F(RateBudgetTest, RecordsTheHeadersOfEveryAnswer) {
  EXPECT_EQ(budget.view().remaining, -1);
  EXPECT_EQ(budget.record(answer(200, limits(4990, kNow + 600))), RateAnswer::Ok);
  ASSERT_TRUE(budget.acquire(0));
  const auto view = budget.view();
  EXPECT_EQ(view.limit, 5000);
  EXPECT_EQ(view.remaining, 4990);
  EXPECT_EQ(view.used, 10);
  EXPECT_EQ(view.resetAt, kNow + 600);
  EXPECT_EQ(view.calls, 1);
  EXPECT_EQ(view.forge, "github");
  EXPECT_EQ(view.credential, "token");
}

TEST_F(RateBudgetTest, ReadsGitLabRateLimitHeadersToo) {
  budget.record(answer(200, {{"ratelimit-limit", "2000"}, {"ratelimit-remaining", "1999"}, {"ratelimit-reset", "5"}}));
  EXPECT_EQ(budget.view().limit, 2000);
  EXPECT_EQ(budget.view().remaining, 1999);
}

TEST_F(RateBudgetTest, WaitsUntilTheResetWhenSpent) {
  EXPECT_EQ(budget.record(answer(403, limits(0, kNow + 30), R"({"message":"API rate limit exceeded"})")),
            RateAnswer::PrimaryLimit);
  ASSERT_TRUE(budget.acquire(60'000));
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 30'000);
  EXPECT_EQ(clock.nowSeconds(), kNow + 30);
  EXPECT_EQ(budget.view().waitedMs, 30'000);
}

TEST_F(RateBudgetTest, FailsFastWhenTheResetIsTooFar) {
  budget.record(answer(200, limits(0, kNow + 3000)));
  const auto waited = budget.acquire(60'000);
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, core::Code::RateLimited);
  EXPECT_EQ(waited.error().reason, "forge_rate_limited");
  EXPECT_EQ(waited.error().retryAfterSeconds, 3000);
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(RateBudgetTest, ASpentBudgetWhoseResetHasPassedDoesNotWait) {
  budget.record(answer(200, limits(0, kNow - 5)));
  ASSERT_TRUE(budget.acquire(0));
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(RateBudgetTest, SecondaryLimitHonoursRetryAfter) {
  EXPECT_EQ(budget.record(answer(429, {{"retry-after", "17"}})), RateAnswer::SecondaryLimit);
  ASSERT_TRUE(budget.acquire(60'000));
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 17'000);
  EXPECT_EQ(budget.view().secondaryLimits, 1);
}

TEST_F(RateBudgetTest, SecondaryLimitWithoutRetryAfterWaitsAMinuteThenLonger) {
  const std::string body = R"({"message":"You have exceeded a secondary rate limit. Please wait."})";
  EXPECT_EQ(budget.record(answer(403, limits(4000, kNow + 600), body)), RateAnswer::SecondaryLimit);
  ASSERT_TRUE(budget.acquire(600'000));
  EXPECT_EQ(budget.record(answer(403, limits(4000, kNow + 600), body)), RateAnswer::SecondaryLimit);
  ASSERT_TRUE(budget.acquire(600'000));
  ASSERT_EQ(sleeps.waits.size(), 2u);
  EXPECT_EQ(sleeps.waits[0], 60'000);
  EXPECT_EQ(sleeps.waits[1], 120'000);
}

TEST_F(RateBudgetTest, APlainForbiddenIsNotARateLimit) {
  EXPECT_EQ(budget.record(answer(403, limits(4000, kNow + 600), R"({"message":"Must have admin rights"})")),
            RateAnswer::Ok);
  ASSERT_TRUE(budget.acquire(0));
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(RateBudgetTest, CallersOnSeveralThreadsAllWaitForTheSameReset) {
  budget.record(answer(403, limits(0, kNow + 10)));
  std::atomic<int> succeeded{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&] {
      if (budget.acquire(10'000)) ++succeeded;
    });
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(succeeded.load(), 4);
  EXPECT_EQ(budget.view().calls, 4);
  ASSERT_FALSE(sleeps.waits.empty());
  for (const auto wait : sleeps.waits) EXPECT_LE(wait, 10'000);
  EXPECT_GE(clock.nowSeconds(), kNow + 10);
}

}  // namespace
}  // namespace forgehook::forge
