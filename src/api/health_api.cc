#include "api/health_api.h"

namespace forgehook::api {

http::Response healthz() { return http::jsonResponse(200, "{\"status\":\"ok\"}"); }

http::Response readyz(store::DeliveryLog& log) {
  if (auto ok = log.checkWritable(); !ok) return http::errorResponse(ok.error());
  return http::jsonResponse(200, "{\"status\":\"ready\"}");
}

http::Response metricsText(const core::Metrics& metrics) {
  http::Response r = http::jsonResponse(200, metrics.renderPrometheus());
  r.contentType = "text/plain; version=0.0.4";
  return r;
}

}  // namespace forgehook::api
