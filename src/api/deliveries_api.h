#pragma once
// GET /api/v1/deliveries and GET /api/v1/deliveries/{id}: what arrived, with sanitized headers and
// the payload. Blocking (store reads): registered to run off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/delivery_log.h"

namespace forgehook::api {

class DeliveriesApi {
 public:
  DeliveriesApi(store::DeliveryLog& store, const core::Clock& clock) : store_(store), clock_(clock) {}
  [[nodiscard]] http::Response list(const http::Request& request) const;
  [[nodiscard]] http::Response show(const http::Request& request) const;

 private:
  store::DeliveryLog& store_;
  const core::Clock& clock_;  // for `timeframe`
};

}  // namespace forgehook::api
