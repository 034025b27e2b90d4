#include "store/sqlite/schema_file.h"

#include <filesystem>

#include "store/sqlite/database_check.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

SchemaVersions readSchemaVersions(const std::string& path) {
  checkDatabaseFile(path, newestSchemaVersion(), false);
  SchemaVersions out{false, 0, newestSchemaVersion()};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) return out;
  DbHandle db = openDatabase(path, true, false);
  Statement version(db.get(), "PRAGMA user_version");
  version.step();
  out.exists = true;
  out.current = version.integer(0);
  return out;
}

SchemaVersions migrateSchemaFile(const std::string& path, bool fullSync) {
  const auto before = readSchemaVersions(path);
  DbHandle db = openDatabase(path, false, fullSync);
  migrate(db.get());
  return before;
}

}  // namespace forgehook::store::sqlite
