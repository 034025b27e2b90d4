#pragma once
// Every route of the admin API, health and metrics endpoints, as one table: method, path, body
// limit, whether it blocks (store access: run off the I/O threads), who may call it (Access) and
// the query parameters it accepts. Owns the handler objects the routes call, so it must outlive the router. Thread-safe
// once built.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/admin_auth.h"
#include "api/connections_api.h"
#include "api/secrets_api.h"
#include "api/session_api.h"
#include "core/metrics.h"
#include "core/time.h"
#include "http/router.h"
#include "live/change_hub.h"
#include "store/backend.h"
#include "store/queue_listener.h"

namespace forgehook::rules {
class RuleSet;
}

namespace forgehook::api {

struct ApiDependencies {
  store::Backend& store;
  const core::Clock& clock;
  const core::Metrics& metrics;
  std::string adminToken;
  store::QueueListener& pipeline;                   // told after replay and rebuild
  std::function<void()> secretsChanged;             // re-reads stored secrets into the live resolver
  live::ChangeHub& hub;                             // feeds the live streams
  SessionOptions sessions{};                        // dashboard sign-in sessions
  std::function<void()> subscriptionsChanged = {};  // wakes the subscription dispatcher
  bool allowPrivateNetworks = false;                // subscriptions.allow_private_networks
  const ForgeServices* forge = nullptr;             // forge connections: their routes exist only with it
  RotateKey rotateKey = {};                         // POST /api/v1/secrets/rotate-key
  std::int64_t bodyRetentionDays = 0;               // store.retention_days: prune's default age
  const rules::RuleSet* rules = nullptr;            // [[rules]]; null: none configured
  std::function<void()> commandsQueued = {};        // wakes the command scheduler (a rerun)
  std::string commandWorkdir = {};                  // where a rule without workdir runs (data_dir)
};

class ApiRoutes {
 public:
  explicit ApiRoutes(ApiDependencies deps);
  ~ApiRoutes();
  // The routes, each calling into this object.
  [[nodiscard]] std::vector<http::Route> routes();
  // Who a request is from, for routes added beside these (stream routes: streamPrincipal).
  [[nodiscard]] const Authenticator& authenticator() const;

 private:
  struct Handlers;
  ApiDependencies deps_;
  std::unique_ptr<Handlers> handlers_;
};

}  // namespace forgehook::api
