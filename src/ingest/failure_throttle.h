#pragma once
// Token buckets per source address for failed signature checks: each failure takes a token, `burst`
// tokens refill at `perMinute`; a failure finding the bucket empty is throttled (answered 429 rather
// than 401). Only failures are counted, so a sender whose deliveries verify is never affected, even
// from an address it shares with an attacker. Memory is bounded like RateLimiter's. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "ingest/token_bucket.h"

namespace forgehook::ingest {

class FailureThrottle {
 public:
  // A burst of 0 disables throttling. Requires: perMinute > 0 when burst > 0.
  FailureThrottle(double perMinute, std::int64_t burst, const core::Clock& clock);

  struct Verdict {
    bool throttled = false;
    int retryAfterSeconds = 0;  // when throttled: seconds until a failure is answered 401 again
    bool report = false;        // when throttled: the first throttled failure of this address in a minute
  };
  // Counts one failed signature check from `source` and says how to answer it.
  [[nodiscard]] Verdict recordFailure(const std::string& source);

 private:
  struct Bucket {
    TokenBucket failures;
    std::int64_t reportedMicros;  // last report, or a minute before the bucket was made
  };
  void prune(std::int64_t now);

  double perSecond_;
  double burst_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace forgehook::ingest
