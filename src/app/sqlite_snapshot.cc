#include "app/sqlite_snapshot.h"

#include <sqlite3.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "store/sqlite/backup.h"

namespace forgehook::app {
namespace {

namespace fs = std::filesystem;

struct FinalizeStatement {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

StatementHandle prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    throw std::runtime_error("cannot read the copy of the SQLite store: " + std::string(sqlite3_errmsg(db)));
  }
  return StatementHandle(raw);
}

std::optional<std::string> valueAt(sqlite3_stmt* s, int column) {
  switch (sqlite3_column_type(s, column)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(s, column));
    case SQLITE_FLOAT: {
      char buffer[32];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, sqlite3_column_double(s, column));
      return ec == std::errc{} ? std::string(buffer, end) : std::string("NaN");
    }
    default: {
      // Text and blobs alike: their bytes (sqlite3_column_blob reads text without converting it).
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(s, column));
      return std::string(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(s, column)));
    }
  }
}

}  // namespace

void SqliteSnapshot::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

SqliteSnapshot::SqliteSnapshot(const std::string& databasePath, const std::string& copyDir) {
  const auto name = fs::path(databasePath).filename().string() + ".migrate-store-" + std::to_string(::getpid());
  path_ = (fs::path(copyDir) / name).string();
  const auto summary = store::sqlite::backupDatabase(databasePath, path_);
  copyBytes_ = summary.bytes;
  deliveries_ = summary.deliveries;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) {
    const std::string reason = sqlite3_errstr(rc);
    db_.reset();
    std::error_code ignored;
    fs::remove(path_, ignored);
    throw std::runtime_error("cannot open the copy " + path_ + ": " + reason);
  }
}

SqliteSnapshot::~SqliteSnapshot() {
  db_.reset();
  std::error_code ignored;
  fs::remove(path_, ignored);
}

std::vector<SqliteTableColumns> SqliteSnapshot::tables() const {
  std::vector<SqliteTableColumns> out;
  forEachRow(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "ORDER BY rowid",
      [&](SqlRow&& row) {
        out.push_back({std::move(row.at(0)).value_or(""), {}});
      });
  for (auto& table : out) {
    auto columns = prepare(db_.get(), "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    sqlite3_bind_text(columns.get(), 1, table.name.c_str(), static_cast<int>(table.name.size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(columns.get())) == SQLITE_ROW)
      table.columns.push_back(valueAt(columns.get(), 0).value_or(""));
    if (rc != SQLITE_DONE)
      throw std::runtime_error("cannot read the copy of the SQLite store: " + std::string(sqlite3_errmsg(db_.get())));
  }
  return out;
}

std::int64_t SqliteSnapshot::integer(const std::string& sql) const {
  auto s = prepare(db_.get(), sql);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return sqlite3_column_int64(s.get(), 0);
  if (rc == SQLITE_DONE) return 0;
  throw std::runtime_error("cannot read the copy of the SQLite store: " + std::string(sqlite3_errmsg(db_.get())));
}

void SqliteSnapshot::forEachRow(const std::string& sql, const std::function<void(SqlRow&&)>& each) const {
  auto s = prepare(db_.get(), sql);
  const int columns = sqlite3_column_count(s.get());
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    SqlRow row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) row.push_back(valueAt(s.get(), i));
    each(std::move(row));
  }
  if (rc != SQLITE_DONE)
    throw std::runtime_error("cannot read the copy of the SQLite store: " + std::string(sqlite3_errmsg(db_.get())));
}

}  // namespace forgehook::app
