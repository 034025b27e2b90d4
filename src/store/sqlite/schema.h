#pragma once
// Schema migrations, applied in order at start-up and tracked in PRAGMA user_version.
#include <sqlite3.h>

#include <cstdint>

namespace forgehook::store::sqlite {

// Brings the database to the newest schema and marks it forgehook's (PRAGMA application_id).
// Requires: checkDatabase passed (database_check.h). Throws std::runtime_error on failure
// (start-up only).
void migrate(sqlite3* db);
// Brings the database to schema version `version` at most (tests build an older database with it).
void migrateTo(sqlite3* db, int version);

// The schema version migrate() brings a database to.
[[nodiscard]] std::int64_t newestSchemaVersion();

}  // namespace forgehook::store::sqlite
