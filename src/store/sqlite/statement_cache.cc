#include "store/sqlite/statement_cache.h"

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace forgehook::store::sqlite::statement_cache {
namespace {

// Per connection: enough for every fixed statement text forgehook has on one connection; texts
// built from filters (IN lists of any length) come and go through the LRU end.
constexpr std::size_t kPerConnection = 96;

struct Kept {
  std::list<std::pair<std::string, sqlite3_stmt*>> recent;  // most recently given back first
  std::unordered_map<std::string_view, decltype(recent)::iterator> bySql;
};

// Only connections opened through openDatabase() (registered by opened()) keep statements; a
// statement of any other connection, or of one being closed, is finalized when given back.
struct Registry {
  std::mutex mutex;
  std::unordered_map<sqlite3*, Kept> kept;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: statements may be given back at exit
  return *r;
}

}  // namespace

sqlite3_stmt* take(sqlite3* db, std::string_view sql) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto conn = r.kept.find(db);
  if (conn == r.kept.end()) return nullptr;
  auto it = conn->second.bySql.find(sql);
  if (it == conn->second.bySql.end()) return nullptr;
  sqlite3_stmt* stmt = it->second->second;
  auto entry = it->second;
  conn->second.bySql.erase(it);
  conn->second.recent.erase(entry);
  return stmt;
}

void give(sqlite3_stmt* stmt) {
  if (!stmt) return;
  sqlite3* db = sqlite3_db_handle(stmt);
  sqlite3_stmt* finalize = nullptr;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto found = r.kept.find(db);
    if (found == r.kept.end()) {
      finalize = stmt;
    } else {
      auto& conn = found->second;
      std::string sql = sqlite3_sql(stmt);
      if (conn.bySql.contains(sql)) {
        finalize = stmt;  // a second one of the same text was in use at once: one is enough
      } else {
        conn.recent.emplace_front(std::move(sql), stmt);
        conn.bySql.emplace(conn.recent.front().first, conn.recent.begin());
        if (conn.recent.size() > kPerConnection) {
          finalize = conn.recent.back().second;
          conn.bySql.erase(conn.recent.back().first);
          conn.recent.pop_back();
        }
      }
    }
  }
  sqlite3_finalize(finalize);  // outside the lock; a no-op on nullptr
}

void purge(sqlite3* db) {
  Kept gone;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.kept.find(db); it != r.kept.end()) {
      gone = std::move(it->second);
      r.kept.erase(it);
    }
  }
  for (auto& [sql, stmt] : gone.recent) sqlite3_finalize(stmt);
}

void opened(sqlite3* db) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.kept.try_emplace(db);
}

}  // namespace forgehook::store::sqlite::statement_cache
