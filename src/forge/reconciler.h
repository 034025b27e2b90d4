#pragma once
// Reconciliation of a hook with the forge's own delivery log: lists the log (one pass, newest
// first, back to the previous clean run or the forge's window), looks every listed GUID up in the
// delivery log here in batches, tracks each one not stored here, and asks the forge to redeliver
// it until it arrives or the forge's window closes. Deliveries already stored cost no request.
// A delivery the forge records as failed but that is stored here (forgehook committed it, the
// forge's answer timed out) needs nothing. Thread-safe: runs of one connection are serialized.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "forge/client_source.h"
#include "forge/keyed_locks.h"
#include "store/connection_store.h"
#include "store/delivery_log.h"

namespace forgehook::forge {

struct ReconcilerOptions {
  std::int64_t windowSeconds = 3 * 86400;  // GitHub keeps 3 days of deliveries (GHES: 7)
  std::int64_t overlapSeconds = 900;       // re-list this much before the previous clean run
  std::int64_t rerequestAfterSeconds = 600;  // a requested redelivery that has not arrived is asked again
  std::int64_t maxRequestsPerDelivery = 3;   // then the delivery is given up
  std::int64_t maxPagesPerRun = 1000;        // bounds one run (100 entries a page)
};

class Reconciler {
 public:
  Reconciler(store::ConnectionStore& connections, store::DeliveryLog& deliveries, ClientSource& clients,
             const core::Clock& clock, const core::Logger& logger, ReconcilerOptions options = {});

  // One run for the connection; the run (also stored) says what was found and done. A forge error
  // during the run is recorded in the run's `error`, not returned. Errors: NotFound; Conflict
  // "not_reconcilable" (no hook, polled, or a forge without a delivery log); Unavailable (store).
  [[nodiscard]] core::Result<store::ReconcileRun> reconcile(std::int64_t connectionId, const std::string& trigger);

  // Whether the connection has a delivery log to reconcile with: a GitHub or GitLab hook.
  [[nodiscard]] static bool reconcilable(const store::Connection& connection);

 private:
  core::Result<void> run(const store::Connection& c, store::ReconcileRun& run);

  store::ConnectionStore& connections_;
  store::DeliveryLog& deliveries_;
  ClientSource& clients_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  ReconcilerOptions options_;
  KeyedLocks locks_;
};

}  // namespace forgehook::forge
