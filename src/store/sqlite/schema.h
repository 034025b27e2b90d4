#pragma once
// Schema migrations, applied in order at start-up and tracked in PRAGMA user_version.
#include <sqlite3.h>

namespace forgehook::store::sqlite {

// Brings the database to the newest schema. Throws std::runtime_error on failure (start-up only).
void migrate(sqlite3* db);
// Brings the database to schema version `version` at most (tests build an older database with it).
void migrateTo(sqlite3* db, int version);

}  // namespace forgehook::store::sqlite
