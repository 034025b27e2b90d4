#include "ingest/failure_throttle.h"


namespace forgehook::ingest {

namespace {
constexpr std::size_t kMaxBuckets = 65536;
constexpr std::int64_t kReportWindowMicros = 60'000'000;
}  // namespace

FailureThrottle::FailureThrottle(double perMinute, std::int64_t burst, const core::Clock& clock)
    : perSecond_(perMinute / 60.0), burst_(static_cast<double>(burst)), clock_(clock) {}

FailureThrottle::Verdict FailureThrottle::recordFailure(const std::string& source) {
  if (burst_ <= 0 || perSecond_ <= 0) return {};
  const std::int64_t now = clock_.nowMicros();
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxBuckets) prune(now);
  Bucket& b = buckets_.try_emplace(source, Bucket{{burst_, now}, now - kReportWindowMicros}).first->second;
  if (b.failures.take(now, perSecond_, burst_)) return {};
  Verdict verdict{.throttled = true, .retryAfterSeconds = b.failures.secondsUntilToken(perSecond_)};
  if (now - b.reportedMicros >= kReportWindowMicros) {
    verdict.report = true;
    b.reportedMicros = now;
  }
  return verdict;
}

void FailureThrottle::prune(std::int64_t now) {
  // A bucket is dropped only once refilled and reported long enough ago: dropping it must neither
  // forgive failures nor allow a second report within the minute.
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.failures.tokensAt(now, perSecond_, burst_) >= burst_ && now - b.reportedMicros >= kReportWindowMicros;
  });
}

}  // namespace forgehook::ingest
