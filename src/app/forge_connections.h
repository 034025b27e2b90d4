#pragma once
// The composition of forge connections: the HTTP transport and the clients built from the stored
// credentials, the hook manager, the reconciler, the poller (appending to intake, durably) and
// the scheduler that runs them in the background. serve() makes one, hands its services to the
// API, and starts it once the server listens (so pings and redeliveries can arrive).
#include <functional>
#include <memory>
#include <vector>

#include "api/connections_api.h"
#include "core/config.h"
#include "core/log.h"
#include "core/time.h"
#include "store/backend.h"
#include "store/intake_queue.h"

namespace forgehook::app {

class ForgeConnections {
 public:
  // `secretsChanged` re-reads every accepted secret (stored scopes and connection hooks) into ingest.
  // `leadership`: whether this node reconciles and polls now (with several nodes, one does).
  ForgeConnections(const core::Config& config, store::Backend& store, store::Leadership& leadership,
                   store::IntakeQueue& intake,
                   const core::Clock& clock, const core::Logger& logger, std::function<void()> secretsChanged);
  ~ForgeConnections();

  [[nodiscard]] const api::ForgeServices& services() const;
  void start();
  void stop();  // idempotent

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace forgehook::app
