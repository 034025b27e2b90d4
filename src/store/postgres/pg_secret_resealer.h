#pragma once
// Reseals the secret columns of the PostgreSQL store, as the SQLite store's resealer does:
// scoped_secrets.secrets, subscriptions.secret, connections.secret_sealed and
// previous_secret_sealed, forge_credentials.*_sealed. A new secret column must be added to
// kSecretColumns in the .cc. Rows are locked as they are read, so nodes resealing at once take
// turns: the second finds the first's values current and writes nothing. Once every secret opened,
// it writes the store's master key check value in the same transaction (pg_key_check.h).
// Thread-safe.
#include <cstdint>

#include "store/postgres/pg_pool.h"
#include "store/secret_resealer.h"
#include "store/secret_sealer.h"

namespace forgehook::store::postgres {

class PgSecretResealer final : public SecretResealer {
 public:
  // Requires: `sealer` outlives this object.
  PgSecretResealer(PgPool& pool, const SecretSealer& sealer) : pool_(pool), sealer_(sealer) {}

  [[nodiscard]] core::Result<std::int64_t> resealStale() override;

 private:
  PgPool& pool_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::postgres
