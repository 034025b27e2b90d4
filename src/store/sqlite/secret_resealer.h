#pragma once
// Reseals the secret columns of the SQLite store: scoped_secrets.secrets, subscriptions.secret,
// connections.secret_sealed and previous_secret_sealed, forge_credentials.*_sealed. A new secret
// column must be added to kSecretColumns in the .cc. Thread-safe.
#include "store/secret_resealer.h"
#include "store/secret_sealer.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteSecretResealer final : public SecretResealer {
 public:
  // Requires: `sealer` outlives this object.
  SqliteSecretResealer(Database& db, const SecretSealer& sealer) : db_(db), sealer_(sealer) {}

  core::Result<std::int64_t> resealStale() override;

 private:
  Database& db_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::sqlite
