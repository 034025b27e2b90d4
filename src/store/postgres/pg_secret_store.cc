#include "store/postgres/pg_secret_store.h"

#include <nlohmann/json.hpp>

namespace forgehook::store::postgres {

core::Result<std::vector<ScopedSecrets>> PgSecretStore::loadSecrets() {
  auto rows = pool_.exec("SELECT forge, scope, key, secrets FROM scoped_secrets ORDER BY forge COLLATE \"C\", scope COLLATE \"C\", "
                            "key COLLATE \"C\"");
  if (!rows) return std::unexpected(rows.error());
  std::vector<ScopedSecrets> out;
  for (int i = 0; i < rows->rows(); ++i) {
    ScopedSecrets item{rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), {}};
    auto json = sealer_.open(rows->text(i, 3));
    if (!json) return std::unexpected(json.error());
    item.secrets = nlohmann::json::parse(*json).get<std::vector<std::string>>();
    out.push_back(std::move(item));
  }
  return out;
}

core::Result<void> PgSecretStore::putSecrets(const ScopedSecrets& secrets) {
  auto done = pool_.exec(
      "INSERT INTO scoped_secrets (forge, scope, key, secrets, updated_at) "
      "VALUES ($1, $2, $3, $4, floor(extract(epoch FROM now()))::bigint) ON CONFLICT (forge, scope, key) "
      "DO UPDATE SET secrets = excluded.secrets, updated_at = excluded.updated_at",
      {secrets.forge, secrets.scope, secrets.key, sealer_.seal(nlohmann::json(secrets.secrets).dump())});
  if (!done) return std::unexpected(done.error());
  return {};
}

core::Result<void> PgSecretStore::deleteSecrets(const std::string& forge, const std::string& scope,
                                                const std::string& key) {
  auto gone = pool_.exec("DELETE FROM scoped_secrets WHERE forge = $1 AND scope = $2 AND key = $3 RETURNING 1",
                            {forge, scope, key});
  if (!gone) return std::unexpected(gone.error());
  if (gone->rows() == 0) return std::unexpected(core::Error::notFound("no secrets stored for " + scope + " " + key));
  return {};
}

}  // namespace forgehook::store::postgres
