#pragma once
// Tells, before forgehook writes a byte to it, whether a database file is forgehook's: an SQLite
// file (not random bytes or text), not another application's (its application_id, or tables
// without forgehook's schema), of a schema version this forgehook knows, and readable throughout.
#include <cstdint>
#include <string>

#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

// PRAGMA application_id of a forgehook database: "FHK1". Databases of forgehook versions before it
// was set have 0 and are recognised by their schema (user_version >= 1 and a deliveries table).
inline constexpr std::int32_t kForgehookApplicationId = 0x46484B31;

// Throws store::StoreUnusable when the file at `path` is not a database forgehook may open and
// migrate: not SQLite, another application's, damaged (PRAGMA quick_check when `quickCheck`), or
// of a schema version above `newestVersion`. A missing or empty file passes (a new store). Opens
// the file read-only and writes nothing.
void checkDatabaseFile(const std::string& path, std::int64_t newestVersion, bool quickCheck);

// The same checks on an open connection, naming `path` in the messages.
void checkDatabase(sqlite3* db, const std::string& path, std::int64_t newestVersion, bool quickCheck);

}  // namespace forgehook::store::sqlite
