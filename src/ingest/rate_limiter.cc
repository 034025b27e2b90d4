#include "ingest/rate_limiter.h"

#include <algorithm>
#include <cmath>

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
  auto [it, inserted] = buckets_.try_emplace(source, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens = std::min(burst_, b.tokens + double(now - b.updatedMicros) / 1e6 * rate_);
    b.updatedMicros = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retryAfterSeconds = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
  return false;
}

void RateLimiter::prune(std::int64_t now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    return entry.second.tokens + double(now - entry.second.updatedMicros) / 1e6 * rate_ >= burst_;
  });
}

}  // namespace forgehook::ingest
