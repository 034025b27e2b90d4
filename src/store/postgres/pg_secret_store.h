#pragma once
// Stored per-hook and per-repository webhook secrets on PostgreSQL, sealed (store/secret_sealer.h)
// before they are written, as in the SQLite store.
#include "store/postgres/pg_pool.h"
#include "store/secret_sealer.h"
#include "store/secret_store.h"

namespace forgehook::store::postgres {

class PgSecretStore final : public SecretStore {
 public:
  PgSecretStore(PgPool& pool, const SecretSealer& sealer) : pool_(pool), sealer_(sealer) {}
  [[nodiscard]] core::Result<std::vector<ScopedSecrets>> loadSecrets() override;
  [[nodiscard]] core::Result<void> putSecrets(const ScopedSecrets& secrets) override;
  [[nodiscard]] core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope,
                                                 const std::string& key) override;

 private:
  PgPool& pool_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::postgres
