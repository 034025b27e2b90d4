#pragma once
// How patient the forge clients are: retries, backoff, and how long a caller may wait for a spent
// rate-limit budget. Shared by every client; defaults suit background reconciliation and polling.
#include <cstdint>
#include <memory>
#include <string>

#include "forge/sleeper.h"

namespace forgehook::forge {

class RateBudgetRegistry;

struct ClientOptions {
  // Attempts per request, the first included, for 5xx, timeouts, refused connections and secondary
  // rate limits. 4xx answers are never retried. Default 4.
  int maxAttempts = 4;
  // Backoff before the second attempt, doubled each time up to maxBackoffMs, with up to 50% jitter.
  std::int64_t initialBackoffMs = 500;
  std::int64_t maxBackoffMs = 8000;
  // No retry starts once this much time has passed since the first attempt. Default 30 s.
  std::int64_t maxRetryTotalMs = 30000;
  // The longest a request waits for a spent budget (primary reset or secondary block); a longer wait
  // fails fast with RateLimited "forge_rate_limited" and retryAfterSeconds. Default 90 s: long
  // enough for GitHub's 60 s secondary wait, short enough not to park a poller thread for an hour.
  std::int64_t maxRateLimitWaitMs = 90000;
  // Sent as User-Agent; empty: "forgehook/<version>".
  std::string userAgent;
  // How to wait; empty: really sleep.
  Sleeper sleeper;
  // Budgets shared with other clients of the same credential; empty: this client keeps its own.
  std::shared_ptr<RateBudgetRegistry> budgets;
};

}  // namespace forgehook::forge
