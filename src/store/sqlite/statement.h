#pragma once
// RAII over sqlite3 handles, and a prepared statement with bind/step helpers. Not thread-safe: a
// connection and its statements belong to one thread at a time.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace forgehook::store::sqlite {

// Closes the connection after finalizing the statements kept for it (statement_cache.h).
void closeDatabase(sqlite3* db);

struct DbDeleter {
  void operator()(sqlite3* db) const { closeDatabase(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbDeleter>;

// Opens (creating when asked) a database file with the pragmas forgehook relies on.
// Throws std::runtime_error when it cannot be opened; used at start-up only.
DbHandle openDatabase(const std::string& path, bool readOnly, bool fullSync);

// Prepared once per connection and SQL text: the destructor gives the statement back to the
// connection's cache (statement_cache.h) instead of finalizing it.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);  // throws std::runtime_error on a bad statement
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bind(int index, std::int64_t value);
  Statement& bindNull(int index);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  void reset();
  // step() then reset(): for statements run once per call (no rows read).
  int run();

  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::string_view blob(int column) const;
  [[nodiscard]] double real(int column) const;
  [[nodiscard]] bool isNull(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL without results; returns the sqlite result code.
int execute(sqlite3* db, const char* sql);

}  // namespace forgehook::store::sqlite
