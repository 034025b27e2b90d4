#pragma once
// Token buckets per source address: ratePerSecond tokens refill continuously up to burst. A rate of
// 0 disables limiting. Memory is bounded: idle full buckets are dropped when the table grows.
// Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "ingest/token_bucket.h"

namespace forgehook::ingest {

class RateLimiter {
 public:
  RateLimiter(double ratePerSecond, double burst, const core::Clock& clock);

  // True when the request may proceed; otherwise retryAfterSeconds says when a token is back.
  [[nodiscard]] bool allow(const std::string& source, int& retryAfterSeconds);

 private:
  void prune(std::int64_t now);

  double rate_;
  double burst_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace forgehook::ingest
