#pragma once
// Copies of a forgehook database: an online backup taken while a server keeps committing, and its
// restore in place of a stopped server's database. Names no SQLite type (app/ includes it).
#include <cstdint>
#include <string>

namespace forgehook::store::sqlite {

struct CopySummary {
  std::int64_t bytes = 0;          // size of the copy
  std::int64_t deliveries = 0;     // rows of the delivery log in the copy
  std::int64_t schemaVersion = 0;  // PRAGMA user_version of the copy
  std::string previousKeptAs;      // restore: where the database it replaced was moved ("" if none)
};

// Copies the database at `source` to `destination` with SQLite's online backup in one step: one
// read transaction, so the copy is the database as of one commit, while other processes keep
// committing (WAL lets them). The copy is written beside `destination`, checked (PRAGMA
// integrity_check), synced and renamed into place (mode 0600), so `destination` is complete or
// absent.
// Throws store::StoreUnusable when `source` is not a usable forgehook database,
// std::runtime_error when `destination` exists or cannot be written.
CopySummary backupDatabase(const std::string& source, const std::string& destination);

// Puts a copy of the backup `backup` in place of the database `target`, which no process may have
// open. The backup must be a forgehook database of a schema this forgehook knows and pass
// PRAGMA integrity_check (store::StoreUnusable otherwise). A database at `target` (with its log)
// is kept as `<target>.before-restore-<unix seconds>`; the restored file is synced and renamed into
// place. Throws std::runtime_error on an I/O failure.
CopySummary restoreDatabase(const std::string& backup, const std::string& target);

}  // namespace forgehook::store::sqlite
