#include "store/sqlite/database_check.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "store/store_unusable.h"

namespace forgehook::store::sqlite {
namespace {

constexpr const char* kRestoreHint =
    "Move the file away to start with an empty store, or put a backup in its place with `forgehook restore`.";

[[noreturn]] void unusable(const std::string& path, const std::string& problem, const std::string& whatToDo) {
  throw StoreUnusable("cannot use the database " + path + ": " + problem + ". " + whatToDo);
}

// What a failed read of the file means, in words an operator can act on.
[[noreturn]] void unreadable(const std::string& path, int rc, sqlite3* db) {
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      unusable(path, "it is not an SQLite database (" + detail + ")", kRestoreHint);
    case SQLITE_CORRUPT:
      unusable(path, "it is damaged (" + detail + ")", kRestoreHint);
    default:
      unusable(path, "it cannot be read (" + detail + ")",
               "Check the file's permissions and the disk, then start again.");
  }
}

// Runs a one-value query; a failure is the file's problem (start-up only, nothing is prepared yet).
std::int64_t scalar(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (rc == SQLITE_OK) rc = sqlite3_step(raw);
  if (rc != SQLITE_ROW) unreadable(path, rc, db);
  return sqlite3_column_int64(raw, 0);
}

std::vector<std::string> tableNames(sqlite3* db) {
  std::vector<std::string> names;
  Statement s(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (s.step() == SQLITE_ROW) names.push_back(s.text(0));
  return names;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) out.append(i == 0 ? "" : ", ").append(names[i]);
  if (names.size() > 5) out.append(", ...");
  return out;
}

void quickCheck(sqlite3* db, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(3)", -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) unreadable(path, rc, db);
  std::string problems;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    std::string line = text != nullptr ? text : "";
    if (line == "ok") return;
    std::replace(line.begin(), line.end(), '\n', ' ');  // the error stays one line
    problems.append(problems.empty() ? "" : "; ").append(line);
  }
  if (rc != SQLITE_DONE) unreadable(path, rc, db);
  unusable(path, "it is damaged (quick_check: " + problems + ")", kRestoreHint);
}

}  // namespace

void checkDatabase(sqlite3* db, const std::string& path, std::int64_t newestVersion, bool runQuickCheck) {
  // The first read of the header and schema: random bytes, text and encrypted files fail here.
  const auto objects = scalar(db, path, "SELECT count(*) FROM sqlite_schema");
  const auto applicationId = scalar(db, path, "PRAGMA application_id");
  const auto version = scalar(db, path, "PRAGMA user_version");
  if (objects == 0 && version == 0 && applicationId == 0) return;  // a new, empty database

  const std::string moveAway =
      "Point data_dir at forgehook's own directory, or move this file away to start with an empty store.";
  if (applicationId != 0 && applicationId != kForgehookApplicationId) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(applicationId));
    unusable(path, std::string("it belongs to another application (application_id ") + hex + ")", moveAway);
  }
  const auto tables = tableNames(db);
  const bool hasDeliveries = std::find(tables.begin(), tables.end(), "deliveries") != tables.end();
  if (applicationId == 0 && (version == 0 || !hasDeliveries))
    unusable(path,
             "it is not a forgehook database (it holds " + (tables.empty() ? std::string("no tables") : "the tables " + listed(tables)) +
                 " and no forgehook schema)",
             moveAway);
  if (version > newestVersion)
    unusable(path,
             "its schema version " + std::to_string(version) + " is newer than this forgehook knows (" +
                 std::to_string(newestVersion) + "): a newer forgehook wrote it",
             "Run that forgehook version (or newer), or restore a backup made by this one with `forgehook restore`.");
  if (runQuickCheck) quickCheck(db, path);
}

void checkDatabaseFile(const std::string& path, std::int64_t newestVersion, bool runQuickCheck) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0) return;  // missing or empty: SQLite makes a new database there
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) unreadable(path, rc, db.get());
  sqlite3_busy_timeout(db.get(), 5000);
  checkDatabase(db.get(), path, newestVersion, runQuickCheck);
}

}  // namespace forgehook::store::sqlite
