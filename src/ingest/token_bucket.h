#pragma once
// One token bucket: `burst` tokens that refill continuously at `perSecond`. The arithmetic shared by
// RateLimiter (requests per address) and FailureThrottle (failed signature checks per address).
// Not thread-safe: its owner locks.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace forgehook::ingest {

struct TokenBucket {
  double tokens;
  std::int64_t updatedMicros;

  // The tokens there would be at `now`, without changing the bucket.
  [[nodiscard]] double tokensAt(std::int64_t now, double perSecond, double burst) const {
    return std::min(burst, tokens + double(now - updatedMicros) / 1e6 * perSecond);
  }
  // Refills up to `now` and takes one token when there is one. False when the bucket is empty.
  [[nodiscard]] bool take(std::int64_t now, double perSecond, double burst) {
    tokens = tokensAt(now, perSecond, burst);
    updatedMicros = now;
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
  }
  // Whole seconds (at least 1) until a token is back, after a take() that found none.
  [[nodiscard]] int secondsUntilToken(double perSecond) const {
    return std::max(1, static_cast<int>(std::ceil((1.0 - tokens) / perSecond)));
  }
};

}  // namespace forgehook::ingest
