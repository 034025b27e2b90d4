#pragma once
// A consistent, self-contained copy of an SQLite store for `forgehook migrate-store` to read: the
// store as of one commit, taken with the online backup while a server may keep committing, plus
// the deliveries its body journal holds past that commit, every body moved into delivery_bodies
// (store/sqlite/backup.h). The copy is a temporary file, removed when the snapshot goes. Not
// thread-safe: one thread reads it.
//
// The SQLite store offers no generic row reader (and names no SQLite type to app/): this one reads
// with sqlite3 directly, sqlite3.h in the .cc only. It would sit as well in store/sqlite/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/store_copy_plan.h"

struct sqlite3;

namespace forgehook::app {

class SqliteSnapshot {
 public:
  // Copies the store at `databasePath` (its body journal in the `bodies` directory beside it) to a
  // new file in `copyDir` and opens the copy read-only. Requires: the file is a forgehook store of
  // this forgehook's schema version. Throws store::StoreUnusable when it is not a usable forgehook
  // database, std::runtime_error when the copy cannot be written or read.
  SqliteSnapshot(const std::string& databasePath, const std::string& copyDir);
  ~SqliteSnapshot();
  SqliteSnapshot(const SqliteSnapshot&) = delete;
  SqliteSnapshot& operator=(const SqliteSnapshot&) = delete;

  [[nodiscard]] std::int64_t copyBytes() const { return copyBytes_; }
  [[nodiscard]] std::int64_t deliveries() const { return deliveries_; }

  // Every table but SQLite's own (sqlite_*), with its columns, in the order they were created.
  [[nodiscard]] std::vector<SqliteTableColumns> tables() const;
  // The first column of the first row of `sql` as an integer (0 for NULL or no row).
  [[nodiscard]] std::int64_t integer(const std::string& sql) const;
  // Calls `each` for every row `sql` returns, in order. Throws std::runtime_error when it fails.
  void forEachRow(const std::string& sql, const std::function<void(SqlRow&&)>& each) const;

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  std::string path_;  // the copy
  std::unique_ptr<sqlite3, Close> db_;
  std::int64_t copyBytes_ = 0;
  std::int64_t deliveries_ = 0;
};

}  // namespace forgehook::app
