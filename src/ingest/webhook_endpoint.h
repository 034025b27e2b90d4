#pragma once
// POST /webhooks/{forge}: the same steps for every forge, in an order that does the cheap refusals
// first and reads nothing unverified: rate limit, media type, identity headers, secret lookup (hook,
// then repository, then configured), signature (a failure counted by the FailureThrottle, and answered
// 429 once its address failed too often), JSON, then the durable commit. The 2xx is sent from
// the intake queue's completion, i.e. only once the delivery is on disk. Thread-safe.
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "http/request.h"
#include "ingest/failure_throttle.h"
#include "ingest/forge_scheme.h"
#include "ingest/rate_limiter.h"
#include "ingest/secret_refresh.h"
#include "ingest/secret_resolver.h"
#include "store/intake_queue.h"

namespace forgehook::ingest {

class WebhookEndpoint {
 public:
  struct Dependencies {
    const ForgeScheme& scheme;
    const SecretResolver& secrets;
    store::IntakeQueue& intake;
    RateLimiter& limiter;
    const core::Clock& clock;
    core::Metrics& metrics;
    int compressionLevel = 1;
    FailureThrottle* failureThrottle = nullptr;  // null: failed signature checks are always 401
    const core::Logger* logger = nullptr;        // null: throttling is not logged
    // Stored secrets may have changed on another node (several nodes on one store): a delivery no
    // secret verifies is checked once more after a reload. Null: one node, its secrets always current.
    SecretRefresh* refreshSecrets = nullptr;
  };
  explicit WebhookEndpoint(Dependencies deps);

  void handle(http::Request&& request, const http::Reply& reply) const;

  // Every check up to the commit, with no side effect but metrics and the failure throttle's count
  // (and its once-a-minute log line): the verified delivery ready for the store, or the error to
  // answer. `log` is filled as far as the request was understood.
  [[nodiscard]] core::Result<store::NewDelivery> admit(http::Request& request, http::LogContext& log) const;

 private:
  [[nodiscard]] core::Result<std::string> verificationOf(const http::Request& request, const DeliveryIdentity& id,
                                                         std::string_view signedBytes,
                                                         const std::string& repository) const;
  // A failed check's error, or rate_limited when its address has failed too often.
  [[nodiscard]] core::Error throttledOr(core::Error failure, const std::string& source) const;
  Dependencies deps_;
  // Looked up once: the families' lookups allocate and lock, too much for every delivery.
  core::Counter& bodyBytes_;
  core::Counter& accepted_;
  core::Counter& duplicates_;
  core::Counter& throttled_;
};

}  // namespace forgehook::ingest
