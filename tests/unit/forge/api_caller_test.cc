// Sending one request: retries of 5xx and timeouts with growing, jittered, bounded backoff; no
// retry of 4xx; waiting for a rate-limit reset; secondary limits; the 401 refresh; no token in errors.
#include "forge/api_caller.h"

#include <gtest/gtest.h>

#include "forge/fake_forge_http.h"

namespace forgehook::forge {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kUrl = "https://api.github.test/repos/o/r/hooks";
const std::string kToken = "ghp_SECRETTOKEN123456";

class ApiCallerTest : public ::testing::Test {
 protected:
  ApiCaller makeCaller(ClientOptions options = {}) {
    options.sleeper = sleeps.sleeper();
    return ApiCaller(core::Forge::GitHub, http, clock, std::move(options));
  }
  HttpRequest request(std::string method = "GET") {
    return HttpRequest{std::move(method), kUrl, {{"Authorization", "Bearer " + kToken}}, {}};
  }

  testing::FakeClock clock{kNow * 1'000'000};
  RecordingSleeper sleeps{clock};
  std::shared_ptr<FakeForgeHttp> http = std::make_shared<FakeForgeHttp>();
  RateBudget budget{"github", "token", clock, sleeps.sleeper()};
};

TEST_F(ApiCallerTest, RetriesServerErrorsWithGrowingBackoff) {
  auto caller = makeCaller();
  http->expect("GET", kUrl, 502);
  http->expect("GET", kUrl, 503);
  http->expect("GET", kUrl, 500);
  http->expect("GET", kUrl, 200, "[]");
  const auto answer = caller.send(request(), budget);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  ASSERT_EQ(sleeps.waits.size(), 3u);
  // 500, 1000, 2000 ms, each less up to half as jitter.
  EXPECT_GE(sleeps.waits[0], 250);
  EXPECT_LE(sleeps.waits[0], 500);
  EXPECT_GE(sleeps.waits[1], 500);
  EXPECT_LE(sleeps.waits[1], 1000);
  EXPECT_GE(sleeps.waits[2], 1000);
  EXPECT_LE(sleeps.waits[2], 2000);
}

TEST_F(ApiCallerTest, RetriesTimeoutsAndGivesUpAfterTheLastAttempt) {
  auto caller = makeCaller();
  for (int i = 0; i < 4; ++i) http->expectTimeout("GET", kUrl);
  const auto answer = caller.send(request(), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::Unavailable);
  EXPECT_EQ(answer.error().reason, "forge_unavailable");
  EXPECT_EQ(sleeps.waits.size(), 3u);
  EXPECT_EQ(http->pending(), 0u);
}

TEST_F(ApiCallerTest, StopsRetryingWhenTheTotalTimeWouldBeExceeded) {
  ClientOptions options;
  options.maxAttempts = 10;
  options.initialBackoffMs = options.maxBackoffMs = 4000;
  options.maxRetryTotalMs = 10000;
  auto caller = makeCaller(options);
  for (int i = 0; i < 10; ++i) http->expect("GET", kUrl, 503);
  const auto answer = caller.send(request(), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::Unavailable);
  // Waits of 2-4 s each: the time bound, not the 10 attempts, ended the retries.
  EXPECT_LE(sleeps.total(), 10000);
  EXPECT_GE(sleeps.waits.size(), 2u);
  EXPECT_LT(http->sent().size(), 10u);
}

TEST_F(ApiCallerTest, DoesNotRetryAValidationFailure) {
  auto caller = makeCaller();
  http->expect("POST", kUrl, 422,
               R"({"message":"Validation Failed","errors":[{"resource":"Hook","code":"custom",)"
               R"("message":"Hook already exists on this repository"}]})");
  const auto answer = caller.send(request("POST"), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::InvalidArgument);
  EXPECT_EQ(answer.error().reason, "forge_rejected");
  EXPECT_NE(answer.error().message.find("Validation Failed"), std::string::npos);
  EXPECT_NE(answer.error().message.find("Hook already exists on this repository"), std::string::npos);
  EXPECT_TRUE(sleeps.waits.empty());
  EXPECT_EQ(http->sent().size(), 1u);
}

TEST_F(ApiCallerTest, WaitsForTheResetThenSucceeds) {
  auto caller = makeCaller();
  http->expect("GET", kUrl, 403, R"({"message":"API rate limit exceeded"})",
               {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 45)}});
  http->expect("GET", kUrl, 200, "[]", {{"x-ratelimit-remaining", "4999"}, {"x-ratelimit-reset", std::to_string(kNow + 3600)}});
  const auto answer = caller.send(request(), budget);
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 45'000);
  EXPECT_EQ(budget.view().waitedMs, 45'000);
  EXPECT_EQ(budget.view().remaining, 4999);
}

TEST_F(ApiCallerTest, FailsFastWhenTheResetIsFartherThanTheCallerWaits) {
  ClientOptions options;
  options.maxRateLimitWaitMs = 60'000;
  auto caller = makeCaller(options);
  http->expect("GET", kUrl, 429, R"({"message":"API rate limit exceeded"})",
               {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 1800)}});
  const auto answer = caller.send(request(), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::RateLimited);
  EXPECT_EQ(answer.error().reason, "forge_rate_limited");
  EXPECT_EQ(answer.error().retryAfterSeconds, 1800);
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(ApiCallerTest, SecondaryLimitWaitsForRetryAfterThenRetries) {
  auto caller = makeCaller();
  http->expect("POST", kUrl, 403, R"({"message":"You have exceeded a secondary rate limit"})", {{"retry-after", "30"}});
  http->expect("POST", kUrl, 201, R"({"id":1})");
  const auto answer = caller.send(request("POST"), budget);
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 30'000);
  EXPECT_EQ(budget.view().secondaryLimits, 1);
}

TEST_F(ApiCallerTest, RepeatedSecondaryLimitsEndInRateLimitedWithTheRemainingWait) {
  ClientOptions options;
  options.maxAttempts = 2;
  auto caller = makeCaller(options);
  http->expect("GET", kUrl, 429, "", {{"retry-after", "5"}});
  http->expect("GET", kUrl, 429, "", {{"retry-after", "40"}});
  const auto answer = caller.send(request(), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, "forge_rate_limited");
  EXPECT_EQ(answer.error().retryAfterSeconds, 40);
  EXPECT_EQ(budget.view().secondaryLimits, 2);
}

TEST_F(ApiCallerTest, ErrorsNeverHoldTheToken) {
  ClientOptions options;
  options.maxAttempts = 1;
  auto caller = makeCaller(options);
  // A forge (or proxy) echoing the credential must not carry it into the error.
  http->expect("GET", kUrl, 401, R"({"message":"Bad credentials for Bearer )" + kToken + R"("})");
  const auto answer = caller.send(request(), budget);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::Unauthenticated);
  EXPECT_EQ(answer.error().reason, "forge_unauthorized");
  EXPECT_EQ(answer.error().message.find(kToken), std::string::npos) << answer.error().message;
  EXPECT_EQ(answer.error().message.find("Authorization"), std::string::npos);
}

// An authorizer whose token the forge refuses once, as an expired App token would be.
class RotatingAuthorizer final : public Authorizer {
 public:
  explicit RotatingAuthorizer(std::shared_ptr<RateBudget> budget) : budget_(std::move(budget)) {}
  core::Result<Authorization> authorize(const HookTarget&) override {
    return Authorization{{{"Authorization", "Bearer token-" + std::to_string(generation)}}, budget_, "rotating", true};
  }
  void invalidate(const HookTarget&) override { ++generation; }
  std::vector<RateBudgetView> budgets() const override { return {budget_->view()}; }
  int generation = 1;

 private:
  std::shared_ptr<RateBudget> budget_;
};

TEST_F(ApiCallerTest, A401WithARefreshableCredentialIsTriedOnceMoreWithAFreshOne) {
  auto caller = makeCaller();
  RotatingAuthorizer authorizer(std::make_shared<RateBudget>("github", "rotating", clock, sleeps.sleeper()));
  http->expect("GET", kUrl, 401, R"({"message":"Bad credentials"})");
  http->expect("GET", kUrl, 200, "[]");
  const auto answer = caller.sendAs(authorizer, {HookTarget::Kind::Repository, "o/r"}, HttpRequest{"GET", kUrl, {}, {}});
  ASSERT_TRUE(answer) << answer.error().message;
  const auto sent = http->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sentHeader(sent[0], "Authorization"), "Bearer token-1");
  EXPECT_EQ(sentHeader(sent[1], "Authorization"), "Bearer token-2");
  EXPECT_EQ(sent[1].headers.size(), 1u);  // the stale header was replaced, not kept
}

TEST_F(ApiCallerTest, A401IsNotRetriedMoreThanOnce) {
  auto caller = makeCaller();
  RotatingAuthorizer authorizer(std::make_shared<RateBudget>("github", "rotating", clock, sleeps.sleeper()));
  http->expect("GET", kUrl, 401, R"({"message":"Bad credentials"})");
  http->expect("GET", kUrl, 401, R"({"message":"Bad credentials"})");
  const auto answer = caller.sendAs(authorizer, {HookTarget::Kind::Repository, "o/r"}, HttpRequest{"GET", kUrl, {}, {}});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::Unauthenticated);
  EXPECT_EQ(http->sent().size(), 2u);
}

}  // namespace
}  // namespace forgehook::forge
