#pragma once
// The rate-limit budget of one forge credential (a token, or one GitHub App installation), shared by
// every caller of that credential: reconciliation, polling and hook management on their own
// threads. It learns the limit from every answer's x-ratelimit-* headers and makes callers wait for
// the reset when the budget is spent, or for the end of a secondary limit. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "forge/forge_client.h"
#include "forge/forge_http.h"
#include "forge/sleeper.h"

namespace forgehook::forge {

// What an answer said about the budget.
enum class RateAnswer {
  Ok,              // not a rate-limit answer
  PrimaryLimit,    // 403/429 with remaining 0: wait for the reset
  SecondaryLimit,  // 403/429 with retry-after or "secondary rate limit": the budget is blocked
};

class RateBudget {
 public:
  // Requires: `clock` outlives the budget; `sleeper` is callable.
  RateBudget(std::string forge, std::string credential, const core::Clock& clock, Sleeper sleeper);

  // Called before each request: returns at once while the budget lasts, otherwise waits until the
  // reset (or the end of a secondary block). Errors: RateLimited "forge_rate_limited" with
  // retryAfterSeconds, without waiting, when the wait would exceed `maxWaitMs`.
  [[nodiscard]] core::Result<void> acquire(std::int64_t maxWaitMs);

  // Called with every answer: records the x-ratelimit-* headers and classifies the answer.
  RateAnswer record(const HttpResponse& response);

  [[nodiscard]] RateBudgetView view() const;

  // Milliseconds until a request may be sent (a reset or a secondary block ahead); 0 when it may now.
  [[nodiscard]] std::int64_t waitMs() const;

 private:
  // Milliseconds until a request may be sent; 0 when it may now. Requires: mutex_ held.
  [[nodiscard]] std::int64_t waitMsLocked() const;

  const core::Clock& clock_;
  Sleeper sleeper_;
  mutable std::mutex mutex_;
  RateBudgetView view_;
  std::int64_t blockedUntilMicros_ = 0;  // end of a secondary limit
  int consecutiveSecondary_ = 0;         // for the exponential backoff of secondary limits
};

}  // namespace forgehook::forge
