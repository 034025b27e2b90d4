#include "store/sqlite/schema.h"

#include <stdexcept>
#include <string>

#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {
namespace {

// Append only: a released migration never changes.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  forge           TEXT NOT NULL,
  hook_id         TEXT NOT NULL,
  delivery_id     TEXT NOT NULL,
  event           TEXT NOT NULL,
  action          TEXT NOT NULL,
  repository      TEXT NOT NULL,
  sender          TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  body_size       INTEGER NOT NULL,
  content_type    TEXT NOT NULL,
  verification    TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'queued',
  headers         TEXT NOT NULL,
  body_encoding   TEXT NOT NULL,
  body            BLOB NOT NULL
);
CREATE UNIQUE INDEX deliveries_identity ON deliveries(forge, hook_id, delivery_id);
CREATE INDEX deliveries_received ON deliveries(received_at);
CREATE TABLE hooks (
  forge         TEXT NOT NULL,
  hook_id       TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_ping_at  INTEGER NOT NULL,
  pings         INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (forge, hook_id)
);
CREATE TABLE scoped_secrets (
  forge      TEXT NOT NULL,
  scope      TEXT NOT NULL CHECK (scope IN ('hook', 'repository')),
  key        TEXT NOT NULL,
  secrets    TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (forge, scope, key)
);
)sql",
};

}  // namespace

void migrate(sqlite3* db) {
  Statement version(db, "PRAGMA user_version");
  version.step();
  const auto current = version.integer(0);
  constexpr auto total = static_cast<std::int64_t>(std::size(kMigrations));
  for (auto v = current; v < total; ++v) {
    std::string sql = "BEGIN IMMEDIATE;";
    sql += kMigrations[v];
    sql += "PRAGMA user_version=" + std::to_string(v + 1) + "; COMMIT;";
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown";
      sqlite3_free(err);
      execute(db, "ROLLBACK");
      throw std::runtime_error("schema migration " + std::to_string(v + 1) + " failed: " + message);
    }
  }
}

}  // namespace forgehook::store::sqlite
