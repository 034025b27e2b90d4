#include "store/sqlite/secret_store.h"

#include <nlohmann/json.hpp>

namespace forgehook::store::sqlite {

core::Result<std::vector<ScopedSecrets>> SqliteSecretStore::loadSecrets() {
  return db_.read<std::vector<ScopedSecrets>>([this](sqlite3* db) -> core::Result<std::vector<ScopedSecrets>> {
    Statement s(db, "SELECT forge, scope, key, secrets FROM scoped_secrets ORDER BY forge, scope, key");
    std::vector<ScopedSecrets> out;
    while (s.step() == SQLITE_ROW) {
      ScopedSecrets item{s.text(0), s.text(1), s.text(2), {}};
      auto json = sealer_.open(s.text(3));
      if (!json) return std::unexpected(json.error());
      item.secrets = nlohmann::json::parse(*json).get<std::vector<std::string>>();
      out.push_back(std::move(item));
    }
    return out;
  });
}

core::Result<void> SqliteSecretStore::putSecrets(const ScopedSecrets& secrets) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "INSERT INTO scoped_secrets (forge, scope, key, secrets, updated_at) VALUES (?1, ?2, ?3, ?4, "
                "unixepoch()) ON CONFLICT (forge, scope, key) DO UPDATE SET secrets = excluded.secrets, "
                "updated_at = excluded.updated_at");
    s.bind(1, secrets.forge).bind(2, secrets.scope).bind(3, secrets.key);
    s.bind(4, sealer_.seal(nlohmann::json(secrets.secrets).dump()));
    must(s.step());
    return {};
  });
}

core::Result<void> SqliteSecretStore::deleteSecrets(const std::string& forge, const std::string& scope,
                                                    const std::string& key) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "DELETE FROM scoped_secrets WHERE forge = ?1 AND scope = ?2 AND key = ?3");
    s.bind(1, forge).bind(2, scope).bind(3, key);
    must(s.step());
    if (sqlite3_changes(db) == 0)
      return std::unexpected(core::Error::notFound("no secrets stored for " + scope + " " + key));
    return {};
  });
}

}  // namespace forgehook::store::sqlite
