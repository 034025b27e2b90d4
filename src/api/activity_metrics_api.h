#pragma once
// GET /api/v1/metrics/{status,pulls,sprint,health}: aggregates over the activity model. The store
// returns rows (store.h aggregate()); medians, percentiles, weekly buckets, burndown and
// projections are computed here. Blocking: registered off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/store.h"

namespace forgehook::api {

class ActivityMetricsApi {
 public:
  ActivityMetricsApi(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}
  [[nodiscard]] http::Response status(const http::Request& request) const;
  [[nodiscard]] http::Response pulls(const http::Request& request) const;
  [[nodiscard]] http::Response sprint(const http::Request& request) const;
  [[nodiscard]] http::Response health(const http::Request& request) const;

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
