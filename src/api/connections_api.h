#pragma once
// /api/v1/connections: repositories and organisations connected through the forge APIs (their
// hooks made, adopted, rotated, pinged, tested and deleted by forgehook), their status and
// reconciliation runs; and /api/v1/credentials: the token or GitHub App each forge is called with.
// No answer carries a hook secret, a token or a key. Blocking (store and forge calls).
// Thread-safe.
#include <functional>
#include <vector>

#include "core/time.h"
#include "forge/client_source.h"
#include "forge/hook_manager.h"
#include "forge/poller.h"
#include "forge/reconciler.h"
#include "http/request.h"
#include "store/connection_store.h"
#include "store/delivery_log.h"

namespace forgehook::api {

struct ForgeServices {
  forge::HookManager& hooks;
  forge::Reconciler& reconciler;
  forge::Poller& poller;
  forge::ClientSource& clients;
  std::function<void()> credentialsChanged;  // drops the clients built from the old credential
  std::function<std::vector<forge::RateBudgetView>()> budgets;  // for /api/v1/metrics/status
};

class ConnectionsApi {
 public:
  ConnectionsApi(ForgeServices services, store::ConnectionStore& connections, store::DeliveryLog& deliveries,
                 const core::Clock& clock)
      : forge_(std::move(services)), connections_(connections), deliveries_(deliveries), clock_(clock) {}

  // POST /api/v1/connections {forge?, repository | organization, events?, url?, mode?}
  // -> 201 a new connection, 200 an existing one set up again; forge failures show in its status.
  [[nodiscard]] http::Response connect(const http::Request& request) const;
  // GET /api/v1/connections?forge=
  [[nodiscard]] http::Response list(const http::Request& request) const;
  // GET /api/v1/connections/{id}, .../{id}/status, .../{id}/reconciliations
  [[nodiscard]] http::Response read(const http::Request& request) const;
  // POST /api/v1/connections/{id}/rotate-secret | ping | test | reconcile | poll | recheck
  [[nodiscard]] http::Response act(const http::Request& request) const;
  // DELETE /api/v1/connections/{id}: the hook is deleted, the connection forgotten, deliveries kept.
  [[nodiscard]] http::Response disconnect(const http::Request& request) const;

  // PUT /api/v1/credentials/{forge} {api_url?, token} | {api_url?, app_id, private_key, webhook_secret?}
  [[nodiscard]] http::Response putCredential(const http::Request& request) const;
  // GET /api/v1/credentials
  [[nodiscard]] http::Response listCredentials(const http::Request& request) const;
  // DELETE /api/v1/credentials/{forge}
  [[nodiscard]] http::Response deleteCredential(const http::Request& request) const;

 private:
  ForgeServices forge_;
  store::ConnectionStore& connections_;
  store::DeliveryLog& deliveries_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
