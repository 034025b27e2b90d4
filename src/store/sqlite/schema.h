#pragma once
// Schema migrations, applied in order at start-up and tracked in PRAGMA user_version.
#include <sqlite3.h>

namespace forgehook::store::sqlite {

// Brings the database to the newest schema. Throws std::runtime_error on failure (start-up only).
void migrate(sqlite3* db);

}  // namespace forgehook::store::sqlite
