#pragma once
// forgehook migrate-store --from sqlite:PATH --to postgres:URL: an SQLite installation, its whole
// history, copied into an empty PostgreSQL database, so that nodes can serve it with
// store.backend = "postgres". The SQLite store is read from a consistent copy (the online backup,
// journal bodies included) and written in one PostgreSQL transaction: a failure leaves the target
// without data. Secrets are copied sealed, as they are.
#include <iosfwd>
#include <string>

namespace forgehook::app {

struct StoreCopyRequest {
  std::string from;          // "sqlite:PATH": the database file, or the data directory holding forgehook.db
  std::string to;            // "postgres:URL" (or a postgres:// / postgresql:// URL as it is): libpq's URL
  std::string password;      // the target's password apart from the URL ("" = none)
  std::string passwordFile;  // else the first line of this file ("" = none)
  std::string copyDir;       // where the consistent copy is written while it is read ("" = beside the database)
};

// Copies and writes what it did to `out`; returns the exit status (0). Throws store::StoreUnusable
// for a source that is not a usable forgehook database (or a target of a newer forgehook),
// std::invalid_argument for a malformed --from / --to or an unreadable password file, and
// std::runtime_error when the source is missing or not of this forgehook's schema version, the
// target already holds forgehook data, or the copy fails (then nothing was committed).
int copyStoreToPostgres(const StoreCopyRequest& request, std::ostream& out);

}  // namespace forgehook::app
