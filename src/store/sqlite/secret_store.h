#pragma once
// Stored webhook secrets on SQLite (table scoped_secrets). Thread-safe.
#include "store/secret_store.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteSecretStore final : public SecretStore {
 public:
  explicit SqliteSecretStore(Database& db) : db_(db) {}

  core::Result<std::vector<ScopedSecrets>> loadSecrets() override;
  core::Result<void> putSecrets(const ScopedSecrets& secrets) override;
  core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope, const std::string& key) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
