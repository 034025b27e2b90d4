#pragma once
// Stored webhook secrets on SQLite (table scoped_secrets). Each scope's secrets column holds its
// JSON array of secrets sealed as one value by the SecretSealer (migration 3 stored it plain; the
// start-up reseal seals what an earlier version left). Thread-safe.
#include "store/secret_sealer.h"
#include "store/secret_store.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteSecretStore final : public SecretStore {
 public:
  // Requires: `sealer` outlives this store.
  SqliteSecretStore(Database& db, const SecretSealer& sealer) : db_(db), sealer_(sealer) {}

  core::Result<std::vector<ScopedSecrets>> loadSecrets() override;
  core::Result<void> putSecrets(const ScopedSecrets& secrets) override;
  core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope, const std::string& key) override;

 private:
  Database& db_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::sqlite
