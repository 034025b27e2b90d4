#pragma once
// POST /webhooks/{forge}: the same steps for every forge, in an order that does the cheap refusals
// first and reads nothing unverified: rate limit, media type, identity headers, secret lookup (hook,
// then repository, then configured), signature, JSON, then the durable commit. The 2xx is sent from
// the intake queue's completion, i.e. only once the delivery is on disk. Thread-safe.
#include "core/metrics.h"
#include "core/time.h"
#include "http/request.h"
#include "ingest/forge_scheme.h"
#include "ingest/rate_limiter.h"
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
  };
  explicit WebhookEndpoint(Dependencies deps);

  void handle(http::Request&& request, const http::Reply& reply) const;

  // Every check up to the commit, with no side effect but metrics: the verified delivery ready for
  // the store, or the error to answer. `log` is filled as far as the request was understood.
  [[nodiscard]] core::Result<store::NewDelivery> admit(http::Request& request, http::LogContext& log) const;

 private:
  [[nodiscard]] core::Result<std::string> verificationOf(const http::Request& request, const DeliveryIdentity& id,
                                                         std::string_view signedBytes,
                                                         const std::string& repository) const;
  Dependencies deps_;
  // Looked up once: the families' lookups allocate and lock, too much for every delivery.
  core::Counter& bodyBytes_;
  core::Counter& accepted_;
  core::Counter& duplicates_;
};

}  // namespace forgehook::ingest
