#include "store/sqlite/secret_resealer.h"

#include <string>
#include <utility>
#include <vector>

#include "core/secret_box.h"

namespace forgehook::store::sqlite {
namespace {

struct SecretColumn {
  const char* table;
  const char* column;
};

// Every column that holds a secret. Names are constants, never input: safe to splice into SQL.
constexpr SecretColumn kSecretColumns[] = {
    {"scoped_secrets", "secrets"},
    {"subscriptions", "secret"},
    {"connections", "secret_sealed"},
    {"connections", "previous_secret_sealed"},
    {"forge_credentials", "token_sealed"},
    {"forge_credentials", "app_private_key_sealed"},
    {"forge_credentials", "app_webhook_secret_sealed"},
};

// PRAGMA secure_delete on for one transaction: the space a replaced plain value occupied is zeroed,
// not left readable in the file. Off otherwise (it costs I/O on every delete).
class SecureDelete {
 public:
  explicit SecureDelete(sqlite3* db) : db_(db) {
    Statement s(db_, "PRAGMA secure_delete");
    if (s.step() == SQLITE_ROW) previous_ = s.integer(0);
    execute(db_, "PRAGMA secure_delete = ON");
  }
  ~SecureDelete() {
    execute(db_, previous_ == 2   ? "PRAGMA secure_delete = FAST"
                 : previous_ == 1 ? "PRAGMA secure_delete = ON"
                                  : "PRAGMA secure_delete = OFF");
  }
  SecureDelete(const SecureDelete&) = delete;
  SecureDelete& operator=(const SecureDelete&) = delete;

 private:
  sqlite3* db_;
  std::int64_t previous_ = 0;
};

}  // namespace

core::Result<std::int64_t> SqliteSecretResealer::resealStale() {
  std::int64_t resealed = 0;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    resealed = 0;
    const SecureDelete secureDelete(db);
    for (const auto& c : kSecretColumns) {
      std::string select("SELECT rowid, ");
      select.append(c.column).append(" FROM ").append(c.table).append(" WHERE ").append(c.column).append(
          " IS NOT NULL");
      // Collected first: the updates do not run while the scan of the same table is open.
      std::vector<std::pair<std::int64_t, std::string>> stale;
      Statement s(db, select);
      while (s.step() == SQLITE_ROW) {
        std::string stored = s.text(1);
        if (sealer_.needsResealing(stored)) stale.emplace_back(s.integer(0), std::move(stored));
      }
      std::string update("UPDATE ");
      update.append(c.table).append(" SET ").append(c.column).append(" = ?2 WHERE rowid = ?1");
      Statement u(db, update);
      for (auto& [rowid, stored] : stale) {
        std::string plain;
        if (core::isSealed(stored)) {
          auto opened = sealer_.open(stored);
          if (!opened) return std::unexpected(opened.error());
          plain = std::move(*opened);
        } else {
          plain = std::move(stored);
        }
        u.reset();
        u.bind(1, rowid).bind(2, sealer_.seal(plain));
        must(u.step());
        ++resealed;
      }
    }
    return {};
  });
  if (!done) return std::unexpected(done.error());
  // Best effort: a failed truncation leaves old page images in the log until it is reused.
  if (resealed > 0) (void)db_.checkpointAndTruncateLog();
  return resealed;
}

}  // namespace forgehook::store::sqlite
