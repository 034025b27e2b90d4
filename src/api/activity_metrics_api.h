#pragma once
// GET /api/v1/metrics/{status,pulls,sprint,health}: aggregates over the activity model. The store
// returns typed rows (store/metrics_reader.h); medians, percentiles, weekly buckets, burndown and
// projections are computed here. Blocking: registered off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/metrics_reader.h"

namespace forgehook::api {

class ActivityMetricsApi {
 public:
  ActivityMetricsApi(store::MetricsReader& reader, const core::Clock& clock) : reader_(reader), clock_(clock) {}
  [[nodiscard]] http::Response status(const http::Request& request) const;
  [[nodiscard]] http::Response pulls(const http::Request& request) const;
  [[nodiscard]] http::Response sprint(const http::Request& request) const;
  [[nodiscard]] http::Response health(const http::Request& request) const;

 private:
  store::MetricsReader& reader_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
