#pragma once
// Forge connections, forge credentials and reconciliation bookkeeping on PostgreSQL (tables
// connections, forge_credentials, reconcile_runs, reconcile_missing), with the SQLite store's
// semantics. Secrets are sealed with the SecretSealer before they are written and opened when read.
// Thread-safe; nodes that share the database may call it at once: multi-statement writes are one
// transaction each, and the unique key (forge, kind, target) decides which of two creations wins.
#include "store/connection_store.h"
#include "store/postgres/pg_pool.h"
#include "store/secret_sealer.h"

namespace forgehook::store::postgres {

class PgConnectionStore final : public ConnectionStore {
 public:
  // `settings`: for the connections that hold locks across nodes (lockAcrossNodes).
  PgConnectionStore(PgPool& pool, const SecretSealer& sealer, PgSettings settings)
      : pool_(pool), sealer_(sealer), settings_(std::move(settings)) {}

  // A session advisory lock (hashtext(component), id) on a connection of its own, opened for it
  // and closed with the lock: holding a pooled connection while a forge API call runs could leave
  // the pool to the locks. A node that dies releases it with its session.
  [[nodiscard]] core::Result<std::unique_ptr<ConnectionLock>> lockAcrossNodes(std::string_view component,
                                                                              std::int64_t id) override;

  [[nodiscard]] core::Result<Connection> createConnection(const Connection& connection) override;
  [[nodiscard]] core::Result<void> updateConnection(const Connection& connection) override;
  [[nodiscard]] core::Result<void> updatePollState(const Connection& connection, bool health) override;
  [[nodiscard]] core::Result<void> updateNextReconcile(std::int64_t id, std::int64_t at) override;
  [[nodiscard]] core::Result<void> updateFailing(std::int64_t id, std::optional<std::int64_t> since) override;
  [[nodiscard]] core::Result<Connection> getConnection(std::int64_t id) override;
  [[nodiscard]] core::Result<std::optional<Connection>> findConnection(const std::string& forge,
                                                                       const std::string& kind,
                                                                       const std::string& target) override;
  [[nodiscard]] core::Result<std::vector<Connection>> listConnections() override;
  [[nodiscard]] core::Result<void> deleteConnection(std::int64_t id) override;
  [[nodiscard]] core::Result<std::vector<ScopedSecrets>> acceptedSecrets(std::int64_t nowSeconds) override;

  [[nodiscard]] core::Result<void> putCredential(const ForgeCredentialRecord& credential) override;
  [[nodiscard]] core::Result<std::optional<ForgeCredentialRecord>> getCredential(const std::string& forge) override;
  [[nodiscard]] core::Result<std::vector<ForgeCredentialRecord>> listCredentials() override;
  [[nodiscard]] core::Result<void> deleteCredential(const std::string& forge) override;

  [[nodiscard]] core::Result<std::int64_t> beginRun(std::int64_t connectionId, const std::string& trigger,
                                                    std::int64_t startedAt) override;
  [[nodiscard]] core::Result<void> finishRun(const ReconcileRun& run) override;
  [[nodiscard]] core::Result<std::vector<ReconcileRun>> listRuns(std::int64_t connectionId, int limit) override;
  [[nodiscard]] core::Result<std::optional<ReconcileRun>> lastCleanRun(std::int64_t connectionId) override;
  [[nodiscard]] core::Result<std::int64_t> trackDeliveries(const std::vector<TrackedDelivery>& deliveries) override;
  [[nodiscard]] core::Result<std::vector<TrackedDelivery>> openDeliveries(std::int64_t connectionId) override;
  [[nodiscard]] core::Result<void> updateTracked(const std::vector<TrackedDelivery>& deliveries) override;
  [[nodiscard]] core::Result<TrackedCounts> trackedCounts(std::int64_t connectionId,
                                                          std::int64_t sinceSeconds) override;

 private:
  // The connections matching `where` (parameters $1..), ordered by id.
  [[nodiscard]] core::Result<std::vector<Connection>> selectConnections(const std::string& where,
                                                                        const std::vector<PgParam>& params);

  PgPool& pool_;
  const SecretSealer& sealer_;
  const PgSettings settings_;
};

}  // namespace forgehook::store::postgres
