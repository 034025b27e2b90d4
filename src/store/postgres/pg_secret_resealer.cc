#include "store/postgres/pg_secret_resealer.h"

#include <string>
#include <utility>
#include <vector>

#include "core/secret_box.h"
#include "store/postgres/pg_key_check.h"
#include "store/postgres/pg_transaction.h"

namespace forgehook::store::postgres {
namespace {

struct SecretColumn {
  const char* table;
  const char* column;
  const char* key;  // the table's primary key, its columns comma-separated
  int keyColumns;
};

// Every column that holds a secret. Names are constants, never input: safe to splice into SQL.
constexpr SecretColumn kSecretColumns[] = {
    {"scoped_secrets", "secrets", "forge, scope, key", 3},
    {"subscriptions", "secret", "id", 1},
    {"connections", "secret_sealed", "id", 1},
    {"connections", "previous_secret_sealed", "id", 1},
    {"forge_credentials", "token_sealed", "forge", 1},
    {"forge_credentials", "app_private_key_sealed", "forge", 1},
    {"forge_credentials", "app_webhook_secret_sealed", "forge", 1},
};

// Seals again the stale values of one column, inside the caller's transaction; counts the values
// written in `resealed`. Errors: as SecretSealer::open and PgConnection::exec.
core::Result<void> resealColumn(PgConnection& conn, const SecretSealer& sealer, const SecretColumn& c,
                                std::int64_t& resealed) {
  // Locked as read: another node resealing waits here until this one commits, then reads the values
  // it wrote. In key order on every node, so two never wait on each other in a circle.
  std::string select("SELECT ");
  select.append(c.key).append(", ").append(c.column).append(" FROM ").append(c.table).append(" WHERE ");
  select.append(c.column).append(" IS NOT NULL ORDER BY ").append(c.key).append(" FOR UPDATE");
  auto rows = conn.exec(select);
  if (!rows) return std::unexpected(rows.error());
  std::string update("UPDATE ");
  update.append(c.table).append(" SET ").append(c.column).append(" = $1 WHERE (").append(c.key).append(") = (");
  for (int k = 0; k < c.keyColumns; ++k) update.append(k ? ", $" : "$").append(std::to_string(k + 2));
  update.append(")");
  for (int i = 0; i < rows->rows(); ++i) {
    std::string stored = rows->text(i, c.keyColumns);
    if (!sealer.needsResealing(stored)) continue;
    std::string plain;
    if (core::isSealed(stored)) {
      auto opened = sealer.open(stored);
      if (!opened) return std::unexpected(opened.error());
      plain = std::move(*opened);
    } else {
      plain = std::move(stored);
    }
    std::vector<PgParam> params{sealer.seal(plain)};
    for (int k = 0; k < c.keyColumns; ++k) params.emplace_back(rows->text(i, k));
    if (auto updated = conn.exec(update, params); !updated) return std::unexpected(updated.error());
    ++resealed;
  }
  return {};
}

}  // namespace

core::Result<std::int64_t> PgSecretResealer::resealStale() {
  // An exception (the crypto library failed in SecretSealer::seal) is Internal, as in a SQLite write.
  return pgTransaction(pool_, [&](PgConnection& conn) -> core::Result<std::int64_t> {
    std::int64_t resealed = 0;
    for (const auto& c : kSecretColumns)
      if (auto done = resealColumn(conn, sealer_, c, resealed); !done) return std::unexpected(done.error());
    // Every secret opened with these keys: they are the store's (pg_key_check.h).
    if (auto recorded = recordMasterKey(conn, sealer_); !recorded) return std::unexpected(recorded.error());
    return resealed;
  });
}

}  // namespace forgehook::store::postgres
