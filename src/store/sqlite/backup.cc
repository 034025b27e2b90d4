#include "store/sqlite/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

#include "store/sqlite/body_journal.h"
#include "store/sqlite/delivery_insert.h"
#include "store/sqlite/database_check.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/statement.h"
#include "store/store_unusable.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;

DbHandle openFile(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path + ": " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(db.get(), 10'000);
  return db;
}

// Copies every page of `from` into `to` in one step (one read transaction on `from`).
void copyPages(sqlite3* from, sqlite3* to, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (backup == nullptr) throw std::runtime_error(what + ": " + sqlite3_errmsg(to));
  const int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw std::runtime_error(what + ": " + sqlite3_errstr(rc));
}

std::int64_t scalar(sqlite3* db, const char* sql) {
  Statement s(db, sql);
  if (s.step() != SQLITE_ROW) throw std::runtime_error(std::string("cannot read the copy: ") + sqlite3_errmsg(db));
  return s.integer(0);
}

// "ok", or the first problems PRAGMA integrity_check reports, on one line.
std::string integrity(sqlite3* db) {
  Statement s(db, "PRAGMA integrity_check(5)");
  std::string out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.append(out.empty() ? "" : "; ").append(s.text(0));
  if (rc != SQLITE_DONE) return sqlite3_errmsg(db);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

void syncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("cannot sync " + path);
}

std::string directoryOf(const std::string& path) {
  const auto dir = fs::path(path).parent_path();
  return dir.empty() ? "." : dir.string();
}

// A file checkDatabaseFile() lets through because `serve` would make a new store of it (empty, or
// SQLite without tables) holds nothing to copy: say so instead of failing on its missing tables.
void requireStore(sqlite3* db, const std::string& what) {
  if (scalar(db, "PRAGMA user_version") == 0)
    throw StoreUnusable(what + ": it is not a forgehook database (an empty database, never used by serve)");
}

// The deliveries the serving process acknowledged but had not indexed yet when the snapshot was
// taken (it indexes many groups at once, some milliseconds after acknowledging them) are in the
// journal past the snapshot's journal_state end: they go into the copy as its rows, in journal
// order, as the server's own start-up recovery would index them, so that a backup holds every
// delivery acknowledged before it began. Their bodies are embedded with the others' below. Unlike
// the server's indexing, this records no change-feed record and no hook ping for them: a restored
// store's feed starts over anyway (its readers reset), and a ping is a hook's last sign of life.
void indexJournalTail(sqlite3* to, const fs::path& bodiesDir, const std::string& what) {
  if (scalar(to, "PRAGMA user_version") < 12) return;
  auto fail = [&] { throw std::runtime_error(what + ": " + sqlite3_errmsg(to)); };
  JournalPosition from;
  {
    Statement end(to, "SELECT end_segment, end_offset, journal_id FROM journal_state WHERE id = 1");
    if (end.step() != SQLITE_ROW) return;  // no journal yet
    from = {end.integer(0), end.integer(1)};
    // Only this database's journal: a directory another database left is not its history.
    if (!BodyJournal::belongsTo(bodiesDir, end.text(2))) return;
  }
  if (execute(to, "BEGIN") != SQLITE_OK) fail();
  Statement insert(to, kInsertDeliverySql);
  // Contiguous: a segment removed since the snapshot (retention) would otherwise shift the ids of
  // every later record; the backup fails and can be run again instead.
  BodyJournal::scan(bodiesDir, from, [&](NewDelivery&& d, JournalLocation at) {
    bindDelivery(insert, d, at);  // the next free id, as the server's start-up recovery gives
    if (insert.step() != SQLITE_ROW) fail();
    insert.reset();
  }, true);
  if (execute(to, "COMMIT") != SQLITE_OK) fail();
}

// The bodies the copy's rows keep in the body journal (schema 12 on) go into the copy's
// delivery_bodies, so that the backup is one self-contained file and its restore needs no journal.
// The journal is append-only, so records read after the snapshot are the ones it indexes. A record
// gone meanwhile (retention deleted its segment after the snapshot) leaves that delivery pruned.
void embedJournalBodies(sqlite3* to, const fs::path& bodiesDir, const std::string& what) {
  if (scalar(to, "PRAGMA user_version") < 12) return;
  auto fail = [&] { throw std::runtime_error(what + ": " + sqlite3_errmsg(to)); };
  if (execute(to, "BEGIN") != SQLITE_OK) fail();
  Statement rows(to,
                 "SELECT id, body_segment, body_offset, body_length FROM deliveries "
                 "WHERE body_segment IS NOT NULL AND id > ?1 ORDER BY id LIMIT 2000");
  Statement put(to, "INSERT INTO delivery_bodies (delivery, headers, body_encoding, body) VALUES (?1, ?2, ?3, ?4)");
  Statement lost(to, "UPDATE deliveries SET body_pruned_at = ?2 WHERE id = ?1");
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::int64_t last = 0;
  for (;;) {
    std::vector<std::pair<std::int64_t, JournalLocation>> chunk;
    rows.bind(1, last);
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW)
      chunk.emplace_back(rows.integer(0), JournalLocation{rows.integer(1), rows.integer(2), rows.integer(3)});
    rows.reset();
    if (rc != SQLITE_DONE) fail();
    if (chunk.empty()) break;
    for (const auto& [id, at] : chunk) {
      auto stored = BodyJournal::readRecord(bodiesDir, at);
      put.bind(1, id);
      if (stored) {
        put.bind(2, stored->headersJson).bind(3, stored->bodyEncoding).bindBlob(4, stored->body);
      } else {
        put.bind(2, std::string("{}")).bind(3, std::string("identity")).bindBlob(4, std::string());
        if (lost.bind(1, id).bind(2, now).run() != SQLITE_DONE) fail();
      }
      if (put.run() != SQLITE_DONE) fail();
    }
    last = chunk.back().first;
  }
  for (const char* sql : {"UPDATE deliveries SET body_segment = NULL, body_offset = NULL, body_length = NULL "
                          "WHERE body_segment IS NOT NULL",
                          "DELETE FROM journal_state", "DELETE FROM body_segments", "COMMIT"})
    if (execute(to, sql) != SQLITE_OK) fail();
}

// Writes a copy of the database open as `from` to `temp` as a self-contained file (rollback
// journal mode, no log beside it, bodies embedded from the journal in `bodiesDir` when given),
// checks it when `checkCopy` (restore checked its source instead: one full read is enough) and
// syncs it. Returns what it holds.
CopySummary writeCopy(sqlite3* from, const std::string& temp, const std::string& what, bool checkCopy,
                      const fs::path& bodiesDir = {}) {
  CopySummary summary;
  {
    DbHandle to = openFile(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    copyPages(from, to.get(), what);
    if (!bodiesDir.empty()) {
      indexJournalTail(to.get(), bodiesDir, what);
      embedJournalBodies(to.get(), bodiesDir, what);
    }
    // The copy carries the source's WAL flag; one file, without a log, is what a backup should be.
    if (execute(to.get(), "PRAGMA journal_mode=DELETE") != SQLITE_OK)
      throw std::runtime_error(what + ": " + sqlite3_errmsg(to.get()));
    if (checkCopy)
      if (const auto check = integrity(to.get()); check != "ok")
        throw std::runtime_error(what + ": the copy fails PRAGMA integrity_check: " + check);
    summary.deliveries = scalar(to.get(), "SELECT count(*) FROM deliveries");
    summary.schemaVersion = scalar(to.get(), "PRAGMA user_version");
  }
  syncPath(temp, false);
  summary.bytes = static_cast<std::int64_t>(fs::file_size(temp));
  return summary;
}

std::string tempBeside(const std::string& path) { return path + ".partial-" + std::to_string(::getpid()); }

}  // namespace

CopySummary backupDatabase(const std::string& source, const std::string& destination) {
  if (!fs::exists(source)) throw StoreUnusable("cannot back up " + source + ": there is no database there");
  if (fs::exists(destination))
    throw std::runtime_error("cannot back up to " + destination + ": it exists (choose a new file name)");
  checkDatabaseFile(source, newestSchemaVersion(), false);
  DbHandle from = openFile(source, SQLITE_OPEN_READONLY);
  requireStore(from.get(), "cannot back up " + source);
  const std::string temp = tempBeside(destination);
  try {
    auto summary = writeCopy(from.get(), temp, "cannot back up " + source + " to " + destination, true,
                             fs::path(directoryOf(source)) / "bodies");
    // Payloads, headers and sealed secrets: readable by the owner only, wherever the copy goes.
    fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write);
    fs::rename(temp, destination);
    syncPath(directoryOf(destination), true);
    return summary;
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

CopySummary restoreDatabase(const std::string& backup, const std::string& target) {
  if (!fs::exists(backup)) throw StoreUnusable("cannot restore " + backup + ": there is no such file");
  checkDatabaseFile(backup, newestSchemaVersion(), false);
  DbHandle from = openFile(backup, SQLITE_OPEN_READONLY);
  requireStore(from.get(), "cannot restore " + backup);
  if (const auto check = integrity(from.get()); check != "ok")
    throw StoreUnusable("cannot restore " + backup + ": it is damaged (integrity_check: " + check +
                        "). Restore another backup.");
  const std::string temp = tempBeside(target);
  CopySummary summary;
  try {
    summary = writeCopy(from.get(), temp, "cannot restore " + backup + " to " + target, false);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  // The database being replaced is kept, with its log (the log holds commits the file may not).
  if (fs::exists(target)) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    summary.previousKeptAs = target + ".before-restore-" + std::to_string(now);
    fs::create_hard_link(target, summary.previousKeptAs);
    for (const char* suffix : {"-wal", "-shm"}) {
      // A log left beside the restored file would be replayed into it: move it with the old file.
      if (fs::exists(target + suffix)) fs::rename(target + suffix, summary.previousKeptAs + suffix);
    }
  }
  // The replaced database's body journal goes with it: the restored file embeds its own bodies.
  const auto bodies = fs::path(directoryOf(target)) / "bodies";
  if (fs::exists(bodies)) {
    const auto keptAs = summary.previousKeptAs.empty()
                            ? bodies.string() + ".before-restore-" +
                                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count())
                            : summary.previousKeptAs + ".bodies";
    fs::rename(bodies, keptAs);
  }
  fs::rename(temp, target);
  syncPath(directoryOf(target), true);
  return summary;
}

}  // namespace forgehook::store::sqlite
