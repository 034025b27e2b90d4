#include "store/sqlite/statement.h"

#include <stdexcept>

#include "store/sqlite/statement_cache.h"

namespace forgehook::store::sqlite {

namespace {
// Before any other SQLite call (static initialization): without memory statistics SQLite's
// allocator takes no global mutex per malloc and free, which the processing profile showed.
[[maybe_unused]] const int kMemoryStatisticsOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
// A statement journal (the pages one statement changed, for undoing that statement alone) spills
// to a temporary file past 64 KiB by default: an upsert into deliveries, with its indexes, passes
// that in a transaction of many rows, and the writer then wrote ten times more to temporary files
// than to the database. Held in memory up to 8 MiB, and spilled past that.
constexpr int kStatementJournalInMemoryBytes = 8 << 20;
[[maybe_unused]] const int kStatementJournalSpill =
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, kStatementJournalInMemoryBytes);
}  // namespace

DbHandle openDatabase(const std::string& path, bool readOnly, bool fullSync) {
  sqlite3* raw = nullptr;
  const int flags =
      (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (raw) statement_cache::opened(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path + ": " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(db.get(), 5000);
  if (!readOnly) {
    execute(db.get(), "PRAGMA journal_mode=WAL");
    // WAL with FULL syncs the log on every commit: a 2xx survives power loss, not only a crash.
    execute(db.get(), fullSync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    execute(db.get(), "PRAGMA wal_autocheckpoint=4000");
  }
  execute(db.get(), "PRAGMA foreign_keys=ON");
  return db;
}

void closeDatabase(sqlite3* db) {
  if (!db) return;
  statement_cache::purge(db);
  sqlite3_close_v2(db);
}

int execute(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

Statement::Statement(sqlite3* db, std::string_view sql) {
  stmt_ = statement_cache::take(db, sql);
  if (stmt_) return;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw std::runtime_error(std::string("bad SQL: ") + sqlite3_errmsg(db));
}

Statement::~Statement() {
  if (!stmt_) return;
  reset();
  statement_cache::give(stmt_);
}

int Statement::run() {
  const int rc = step();
  reset();
  return rc;
}

namespace {
// A bind fails only on our own mistake (a placeholder the SQL does not have, a statement being
// stepped): fail loudly instead of leaving NULL in a filter that then matches nothing.
void checkBind(sqlite3_stmt* stmt, int rc, int index) {
  if (rc != SQLITE_OK)
    throw std::logic_error("cannot bind parameter " + std::to_string(index) + " of \"" + sqlite3_sql(stmt) +
                           "\": " + sqlite3_errstr(rc));
}
}  // namespace

Statement& Statement::bind(int index, std::string_view text) {
  checkBind(stmt_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
            index);
  return *this;
}
Statement& Statement::bindBlob(int index, std::string_view bytes) {
  checkBind(stmt_, sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC), index);
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  checkBind(stmt_, sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}
Statement& Statement::bindNull(int index) {
  checkBind(stmt_, sqlite3_bind_null(stmt_, index), index);
  return *this;
}
int Statement::step() { return sqlite3_step(stmt_); }
void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}
std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, sqlite3_column_bytes(stmt_, column)) : std::string();
}
std::string_view Statement::blob(int column) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return p ? std::string_view(p, sqlite3_column_bytes(stmt_, column)) : std::string_view();
}
bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

}  // namespace forgehook::store::sqlite
