#pragma once
// forgehook migrate [--check]: where the configured store's schema stands, and bringing it up to
// date. PostgreSQL's migrations run under an advisory lock (store/postgres/pg_schema.h), so this
// and any number of starting nodes apply each migration once.
#include <iosfwd>

#include "core/config.h"

namespace forgehook::app {

// Writes what it found (and applied) to `out`. Returns the exit status: 0 when the schema is up to
// date (after applying, without `checkOnly`), 1 when `checkOnly` finds migrations pending or no
// store yet. Throws store::StoreUnusable for a store of a newer forgehook (and, SQLite, a file that
// is not forgehook's), std::runtime_error when the database cannot be reached or a migration fails.
int migrateStore(const core::Config& config, bool checkOnly, std::ostream& out);

}  // namespace forgehook::app
