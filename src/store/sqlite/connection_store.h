#pragma once
// Forge connections, forge credentials and reconciliation bookkeeping on SQLite (tables
// connections, forge_credentials, reconcile_runs, reconcile_missing). Secrets are sealed with the
// SecretSealer before they are written and opened when read. Thread-safe.
#include <functional>

#include "store/connection_store.h"
#include "store/secret_sealer.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteConnectionStore final : public ConnectionStore {
 public:
  SqliteConnectionStore(Database& db, const SecretSealer& sealer) : db_(db), sealer_(sealer) {}

  core::Result<Connection> createConnection(const Connection& connection) override;
  core::Result<void> updateConnection(const Connection& connection) override;
  core::Result<void> updatePollState(const Connection& connection, bool health) override;
  core::Result<void> updateNextReconcile(std::int64_t id, std::int64_t at) override;
  core::Result<void> updateFailing(std::int64_t id, std::optional<std::int64_t> since) override;
  core::Result<Connection> getConnection(std::int64_t id) override;
  core::Result<std::optional<Connection>> findConnection(const std::string& forge, const std::string& kind,
                                                         const std::string& target) override;
  core::Result<std::vector<Connection>> listConnections() override;
  core::Result<void> deleteConnection(std::int64_t id) override;
  core::Result<std::vector<ScopedSecrets>> acceptedSecrets(std::int64_t nowSeconds) override;

  core::Result<void> putCredential(const ForgeCredentialRecord& credential) override;
  core::Result<std::optional<ForgeCredentialRecord>> getCredential(const std::string& forge) override;
  core::Result<std::vector<ForgeCredentialRecord>> listCredentials() override;
  core::Result<void> deleteCredential(const std::string& forge) override;

  core::Result<std::int64_t> beginRun(std::int64_t connectionId, const std::string& trigger,
                                      std::int64_t startedAt) override;
  core::Result<void> finishRun(const ReconcileRun& run) override;
  core::Result<std::vector<ReconcileRun>> listRuns(std::int64_t connectionId, int limit) override;
  core::Result<std::optional<ReconcileRun>> lastCleanRun(std::int64_t connectionId) override;
  core::Result<std::int64_t> trackDeliveries(const std::vector<TrackedDelivery>& deliveries) override;
  core::Result<std::vector<TrackedDelivery>> openDeliveries(std::int64_t connectionId) override;
  core::Result<void> updateTracked(const std::vector<TrackedDelivery>& deliveries) override;
  core::Result<TrackedCounts> trackedCounts(std::int64_t connectionId, std::int64_t sinceSeconds) override;

 private:
  core::Result<std::vector<Connection>> selectConnections(const std::string& where,
                                                          const std::function<void(class Statement&)>& bind);
  Database& db_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::sqlite
