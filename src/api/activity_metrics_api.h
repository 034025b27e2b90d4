#pragma once
// GET /api/v1/metrics/{status,pulls,sprint,health}: aggregates over the activity model. The store
// returns typed rows (store/metrics_reader.h); medians, percentiles, weekly buckets, burndown and
// projections are computed here. Blocking: registered off the I/O threads. Thread-safe.
#include <functional>
#include <vector>

#include "core/time.h"
#include "forge/forge_client.h"
#include "http/request.h"
#include "store/connection_store.h"
#include "store/metrics_reader.h"

namespace forgehook::api {

class ActivityMetricsApi {
 public:
  using Budgets = std::function<std::vector<forge::RateBudgetView>()>;
  // `connections` and `budgets` (optional) add the forge connections that keep failing and the
  // forge API rate-limit budgets to status().
  ActivityMetricsApi(store::MetricsReader& reader, const core::Clock& clock,
                     store::ConnectionStore* connections = nullptr, Budgets budgets = {})
      : reader_(reader), clock_(clock), connections_(connections), budgets_(std::move(budgets)) {}
  [[nodiscard]] http::Response status(const http::Request& request) const;
  [[nodiscard]] http::Response pulls(const http::Request& request) const;
  [[nodiscard]] http::Response sprint(const http::Request& request) const;
  [[nodiscard]] http::Response health(const http::Request& request) const;

 private:
  store::MetricsReader& reader_;
  const core::Clock& clock_;
  store::ConnectionStore* connections_;
  Budgets budgets_;
};

}  // namespace forgehook::api
