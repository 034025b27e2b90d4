#pragma once
// `forgehook backup` and `forgehook restore` on the store of a data directory. Local-file
// operations: they open <data_dir>/forgehook.db themselves (SQLite's online backup works beside a
// serving process in WAL mode), so they run on the server's host, not through --server.
#include <ostream>
#include <string>

#include "core/config.h"

namespace forgehook::app {

// Writes a consistent copy of the store to `destination` (a new file) while the server may keep
// serving, and prints what it holds to `out`. Throws store::StoreUnusable when the store is not a
// usable forgehook database, std::runtime_error otherwise.
void backupStore(const core::Config& config, const std::string& destination, std::ostream& out);

// Puts the backup `source` in place of the store, after checking it (forgehook's, a known schema,
// integrity_check). Refuses while a forgehook serves from the data directory (its address file
// answers a connect). Throws store::StoreUnusable for an unusable backup, std::runtime_error
// otherwise.
void restoreStore(const core::Config& config, const std::string& source, std::ostream& out);

}  // namespace forgehook::app
