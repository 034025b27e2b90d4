#include "ingest/rate_limiter.h"

#include <algorithm>

namespace forgehook::ingest {

namespace {
constexpr std::size_t kMaxBuckets = 65536;
}

RateLimiter::RateLimiter(double ratePerSecond, double burst, const core::Clock& clock)
    : rate_(ratePerSecond), burst_(burst > 0 ? burst : std::max(1.0, ratePerSecond)), clock_(clock) {}

bool RateLimiter::allow(const std::string& source, int& retryAfterSeconds) {
  if (rate_ <= 0) return true;
  const std::int64_t now = clock_.nowMicros();
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxBuckets) prune(now);
  TokenBucket& b = buckets_.try_emplace(source, TokenBucket{burst_, now}).first->second;
  if (b.take(now, rate_, burst_)) return true;
  retryAfterSeconds = b.secondsUntilToken(rate_);
  return false;
}

void RateLimiter::prune(std::int64_t now) {
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.tokensAt(now, rate_, burst_) >= burst_; });
}

}  // namespace forgehook::ingest
