#pragma once
// Versioned migrations of the PostgreSQL store. Each applied version is a row of forgehook_schema
// (version, name, applied_at). pgMigrate holds a session advisory lock while it applies, so nodes
// starting at once migrate once: the others wait for the lock, then find nothing left to do.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

struct PgMigration {
  std::int64_t version;
  std::string name;
};

struct PgSchemaStatus {
  std::int64_t current = 0;          // the newest version applied (0: none)
  std::int64_t newest = 0;           // the newest this binary knows
  std::vector<PgMigration> pending;  // in the order they would be applied
};

// Every migration this binary knows, oldest first.
[[nodiscard]] std::vector<PgMigration> pgMigrations();

// Reads where the database stands; changes nothing. Throws StoreUnusable when the database was
// migrated by a newer forgehook (a version this binary does not know). Errors: as PgConnection.
[[nodiscard]] core::Result<PgSchemaStatus> pgSchemaStatus(PgConnection& conn);

// Applies what is pending, each migration in its own transaction, under the advisory lock; returns
// what it applied (empty when another node had done it). Throws StoreUnusable as pgSchemaStatus.
// Errors: as PgConnection; a failed migration is rolled back whole and named in the message.
[[nodiscard]] core::Result<std::vector<PgMigration>> pgMigrate(PgConnection& conn);

}  // namespace forgehook::store::postgres
