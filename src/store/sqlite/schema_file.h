#pragma once
// The schema version of a database file, and its migration, for `forgehook migrate` (app/): no
// SQLite type in this header. `forgehook serve` migrates by itself when it opens the store.
#include <cstdint>
#include <string>

namespace forgehook::store::sqlite {

struct SchemaVersions {
  bool exists = false;       // false: no database yet (a missing or empty file)
  std::int64_t current = 0;  // PRAGMA user_version
  std::int64_t newest = 0;   // what this binary migrates to
};

// Reads the file's version, read-only. Throws StoreUnusable as checkDatabaseFile (not forgehook's,
// not SQLite, newer than this binary).
[[nodiscard]] SchemaVersions readSchemaVersions(const std::string& path);

// Creates the file or brings it to the newest schema; returns the versions it found. Throws
// StoreUnusable as readSchemaVersions, std::runtime_error when a migration fails.
SchemaVersions migrateSchemaFile(const std::string& path, bool fullSync);

}  // namespace forgehook::store::sqlite
