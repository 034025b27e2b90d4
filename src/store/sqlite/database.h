#pragma once
// One SQLite database file in WAL mode, shared by every SQLite role class (delivery log, queue,
// readers...). Writes go through one connection guarded by a mutex, one transaction mechanism for
// all of them; reads use a small pool of their own connections, which WAL lets run beside the
// writer. WAL checkpoints run on a background thread. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "store/sqlite/body_journal.h"
#include "store/sqlite/sqlite_options.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

// Unavailable for a failed SQLite call, with a reason people can act on: "store_full" (Retry-After
// 30 s) when the disk or store.max_bytes has no room left (SQLITE_FULL, or an I/O error whose
// system errno is ENOSPC/EDQUOT), else "store_unavailable".
core::Error storeError(int rc, int systemErrno = 0);

// A failed step inside Database::write: the transaction rolls back and the store reports the code
// as a store failure.
struct StepFailure {
  int rc;
};
inline void must(int rc, int expected = SQLITE_DONE) {
  if (rc != expected) throw StepFailure{rc};
}

class Database {
 public:
  // Opens or creates the database and migrates it. Throws std::runtime_error (start-up only).
  explicit Database(SqliteOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Durable: the commit waits for fsync when store.synchronous is full. Relaxed: it does not; for
  // processing commits only, whose statuses and projections commit together and can always be
  // derived again (a commit lost to a power cut leaves its deliveries queued), and whose log frames
  // the next durable commit syncs.
  enum class Sync { Durable, Relaxed };

  // The write connection, for role classes to prepare their statements at construction. Those
  // statements may only be stepped inside write().
  [[nodiscard]] sqlite3* writeConnection() const { return writer_.get(); }

  // Every write goes through here: takes the write lock, runs `body` inside BEGIN IMMEDIATE ...
  // COMMIT, rolls back when it returns an error or throws. must() failures are store failures,
  // which keep the store not ready until a write succeeds; other exceptions are Internal.
  core::Result<void> write(const std::function<core::Result<void>(sqlite3*)>& body, Sync sync = Sync::Durable);

  // Housekeeping deletes in small steps: runs `deleteSql` (a DELETE of at most `batch` rows, its
  // parameters bound by `bind`, the batch size included) in one relaxed write after another until a
  // step deletes fewer than `batch`, so the write lock is never held for long, and calls `between`
  // (when given) between two steps with the lock free: a pause there lets intake and the pipeline
  // write (a mutex is not fair: taken again at once, a prune runs its batches back to back while
  // they wait); returning false ends the deletes early. Returns the rows deleted.
  core::Result<std::int64_t> deleteInBatches(const char* deleteSql, const std::function<void(Statement&)>& bind,
                                             std::int64_t batch, const std::function<bool()>& between = {});

  // Runs `body` on a pooled read connection. Exceptions (a statement that cannot be prepared, a
  // body that cannot be decoded) become Unavailable "store_unavailable".
  template <typename T>
  core::Result<T> read(const std::function<core::Result<T>(sqlite3*)>& body) {
    try {
      Lease lease(*this);
      return body(lease.db.get());
    } catch (const std::exception& e) {
      return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
    }
  }

  // Ok when a delivery could be committed now. Errors: Unavailable "store_full" while the last
  // commit failed for lack of space and no room has appeared since (store.max_bytes pages, or
  // free bytes on the database's filesystem), else "store_unavailable" with the reason.
  core::Result<void> checkWritable();

  // Asks the background thread for a WAL checkpoint (called from SQLite's commit hook).
  void requestCheckpoint();
  // Called after every commit of the write connection (on the committing thread, under the write
  // lock: must be cheap). Requires: set once, before writes start.
  void setCommitListener(std::function<void()> listener) { commitListener_ = std::move(listener); }
  // SQLite's WAL hook: after each commit.
  void committed(int walFrames);

  // Copies the whole log into the database file and truncates the log to zero bytes, under the
  // write lock: after secrets were resealed, no page image holding an old value stays in the log.
  // Waits for readers (busy timeout). Returns SQLite's result code.
  int checkpointAndTruncateLog();

  // The body journal beside the database file (<dir>/bodies): where intake makes deliveries durable
  // (see body_journal.h). Its records from journalIndexedUpTo() on are not in the database yet.
  [[nodiscard]] BodyJournal& journal() { return *journal_; }
  [[nodiscard]] JournalPosition journalIndexedUpTo();

  // The write connection's PRAGMA synchronous now (2 FULL, 1 NORMAL): for tests of durability.
  [[nodiscard]] int synchronousLevel();

 private:
  struct Lease {
    explicit Lease(Database& owner);
    ~Lease();
    Database& owner;
    DbHandle db;
  };
  [[nodiscard]] std::int64_t pagesLeft();  // requires writeMutex_; -1 without store.max_bytes
  [[nodiscard]] std::int64_t diskFreeBytes() const;  // on the database's filesystem; -1 when unknown
  void checkpointLoop();

  SqliteOptions options_;
  std::mutex writeMutex_;
  DbHandle writer_;
  Statement begin_, commit_, rollback_;
  // synchronous=NORMAL is in effect (see Sync). The level is switched with execute(), never a
  // prepared statement: SQLite applies PRAGMA synchronous when it compiles the statement, so
  // preparing one changes the level and stepping it again changes nothing.
  bool relaxed_ = false;          // guarded by writeMutex_
  bool lastWriteFailed_ = false;  // guarded by writeMutex_
  // Pages left when a commit last failed for lack of space; -1 when it did not. Until more room
  // appears the store stays not-ready, even if a smaller delivery might still fit.
  std::int64_t pagesLeftAtFull_ = -1;  // guarded by writeMutex_
  // Free bytes of the filesystem when a commit last failed for lack of space; -1 when it did not.
  // An empty BEGIN/COMMIT writes nothing, so it cannot tell that the disk has room again: until
  // the filesystem has gained room (or a commit succeeds) the store stays not-ready.
  std::int64_t diskFreeAtFull_ = -1;  // guarded by writeMutex_

  std::mutex readersMutex_;
  std::vector<DbHandle> idleReaders_;

  // WAL checkpoints run here, on their own connection, instead of inside a commit, where copying
  // the log into the database would stall every delivery waiting for that commit.
  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  bool checkpointWanted_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
  std::function<void()> commitListener_;
  std::unique_ptr<BodyJournal> journal_;
};

}  // namespace forgehook::store::sqlite
