#include "pipeline/retry_policy.h"

#include <algorithm>
#include <random>

namespace forgehook::pipeline {

std::optional<std::int64_t> RetryPolicy::nextAttemptAt(std::int64_t attemptsDone, std::int64_t nowMicros) const {
  if (attemptsDone >= maxAttempts) return std::nullopt;
  const int doublings = static_cast<int>(std::clamp<std::int64_t>(attemptsDone - 1, 0, 40));
  const double delay = std::min<double>(static_cast<double>(maxDelayMicros),
                                        static_cast<double>(baseDelayMicros) * static_cast<double>(1LL << doublings));
  double r;
  if (jitter) {
    r = jitter();
  } else {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    r = std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  }
  // Half fixed, half random: spreads retries of a burst of failures without ever retrying at once.
  return nowMicros + static_cast<std::int64_t>(delay / 2 + delay / 2 * std::clamp(r, 0.0, 1.0));
}

}  // namespace forgehook::pipeline
