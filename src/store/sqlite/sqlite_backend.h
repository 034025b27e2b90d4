#pragma once
// The embedded default backend: every store role on one SQLite file. The one header app/ includes
// to choose SQLite; it names no SQLite type.
#include <memory>

#include "store/backend.h"
#include "store/sqlite/sqlite_options.h"

namespace forgehook::store::sqlite {

// Opens or creates the database, migrates it and returns its roles. Requires: options.sealer set
// (std::invalid_argument otherwise). Throws store::StoreUnusable when the file is not a usable
// forgehook database (database_check.h), std::runtime_error otherwise (start-up only).
[[nodiscard]] std::unique_ptr<Backend> openSqliteBackend(SqliteOptions options);

}  // namespace forgehook::store::sqlite
