#pragma once
// /healthz (process up), /readyz (store writable), /metrics (Prometheus). Thread-safe.
#include "core/metrics.h"
#include "http/request.h"
#include "store/delivery_log.h"

namespace forgehook::api {

[[nodiscard]] http::Response healthz();
[[nodiscard]] http::Response readyz(store::DeliveryLog& log);  // blocking: touches the store
[[nodiscard]] http::Response metricsText(const core::Metrics& metrics);

}  // namespace forgehook::api
