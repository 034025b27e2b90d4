#pragma once
// SqliteStore's internals shared by its .cc files: the write connection with its prepared
// statements (used only under writeMutex_), and a pooled read connection.
#include <algorithm>

#include "core/error.h"
#include "store/sqlite/projection_writer.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

// Unavailable "store_unavailable" for a failed SQLite call, with a reason people can act on.
core::Error storeError(int rc);

// A failed step inside SqliteStore::inWriteTransaction: the transaction rolls back and the store
// reports the code as a store failure.
struct StepFailure {
  int rc;
};
inline void must(int rc, int expected = SQLITE_DONE) {
  if (rc != expected) throw StepFailure{rc};
}

// The write connection and its prepared statements; used only under writeMutex_.
class SqliteStore::Writer {
  // Statements are prepared against the migrated schema, so migration runs first.
  static DbHandle openMigrated(const SqliteOptions& o) {
    DbHandle db = openDatabase(o.path, false, o.fullSync);
    migrate(db.get());
    return db;
  }

 public:
  explicit Writer(const SqliteOptions& o)
      : db(openMigrated(o)),
        begin(db.get(), "BEGIN IMMEDIATE"),
        commit(db.get(), "COMMIT"),
        rollback(db.get(), "ROLLBACK"),
        insert(db.get(),
               "INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, received_at, "
               "last_attempt_at, body_size, content_type, verification, headers, body_encoding, body) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
               "ON CONFLICT (forge, hook_id, delivery_id) DO UPDATE SET attempts = attempts + 1, "
               "last_attempt_at = excluded.received_at RETURNING id, attempts"),
        hook(db.get(),
             "INSERT INTO hooks (forge, hook_id, first_seen_at, last_ping_at) VALUES (?1, ?2, ?3, ?3) "
             "ON CONFLICT (forge, hook_id) DO UPDATE SET last_ping_at = excluded.last_ping_at, pings = pings + 1"),
        savepoint(db.get(), "SAVEPOINT delivery"),
        release(db.get(), "RELEASE delivery"),
        undo(db.get(), "ROLLBACK TO delivery"),
        markProcessed(db.get(),
                      "UPDATE deliveries SET status = 'processed', processed_at = ?2, process_attempts = "
                      "process_attempts + 1, next_attempt_at = 0, last_error = NULL WHERE id = ?1"),
        markFailed(db.get(),
                   "UPDATE deliveries SET status = CASE WHEN ?2 IS NULL THEN 'dead' ELSE 'retrying' END, "
                   "next_attempt_at = coalesce(?2, 0), process_attempts = process_attempts + 1, last_error = ?3 "
                   "WHERE id = ?1") {
    if (o.maxBytes > 0) {
      Statement pageSize(db.get(), "PRAGMA page_size");
      pageSize.step();
      const auto pages = std::max<std::int64_t>(1, o.maxBytes / pageSize.integer(0));
      execute(db.get(), ("PRAGMA max_page_count=" + std::to_string(pages)).c_str());
    }
  }
  DbHandle db;
  Statement begin, commit, rollback, insert, hook;
  // synchronous=NORMAL is in effect (see SqliteStore::Sync). The level is switched with execute(),
  // never a prepared statement: SQLite applies PRAGMA synchronous when it compiles the statement,
  // so preparing one changes the level and stepping it again changes nothing.
  bool relaxed = false;
  // Processing (processing_queue.cc): a savepoint per delivery, and its new status.
  Statement savepoint, release, undo, markProcessed, markFailed;
  ProjectionWriter projections{db.get()};
};

class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore& owner, std::unique_ptr<sqlite3, void (*)(sqlite3*)> db)
      : owner_(owner), db_(std::move(db)) {}
  ~ReaderLease() {
    std::lock_guard lock(owner_.readersMutex_);
    owner_.idleReaders_.push_back(std::move(db_));
  }
  sqlite3* get() const { return db_.get(); }

 private:
  SqliteStore& owner_;
  std::unique_ptr<sqlite3, void (*)(sqlite3*)> db_;
};

}  // namespace forgehook::store::sqlite
