#pragma once
// POST /api/v1/deliveries/prune: retention of delivery bodies on demand, or what it would free
// (dry run). Blocking (store writes, in small transactions): registered to run off the I/O
// threads. Thread-safe.
#include <cstdint>

#include "core/time.h"
#include "http/request.h"
#include "store/body_retention.h"

namespace forgehook::api {

class RetentionApi {
 public:
  // `defaultDays`: store.retention_days, the age used when the request names none (0: none).
  RetentionApi(store::BodyRetention& bodies, const core::Clock& clock, std::int64_t defaultDays)
      : bodies_(bodies), clock_(clock), defaultDays_(defaultDays) {}

  // {"dry_run": bool, "older_than_days": N} → {"dry_run", "older_than_days", "cutoff", "deliveries", "bytes"}
  [[nodiscard]] http::Response prune(const http::Request& request) const;

 private:
  store::BodyRetention& bodies_;
  const core::Clock& clock_;
  std::int64_t defaultDays_;
};

}  // namespace forgehook::api
