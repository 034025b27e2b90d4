#include "store/sqlite/database.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <random>

#include "core/thread_name.h"
#include "store/sqlite/database_check.h"
#include "store/sqlite/schema.h"

namespace forgehook::store::sqlite {
namespace {

constexpr int kCheckpointFrames = 2000;  // ~8 MB of log before a checkpoint is asked for
// Room the filesystem must gain after a failed commit before the store says it is ready again: a
// few log frames would fit in less, but a group commit of deliveries needs about this much.
constexpr std::int64_t kRoomToRetry = 1 << 20;
constexpr int kFullRetryAfterSeconds = 30;  // space rarely comes back within seconds

int onWalCommit(void* self, sqlite3*, const char*, int frames) {
  static_cast<Database*>(self)->committed(frames);
  return SQLITE_OK;
}

// Statements are prepared against the migrated schema, so migration runs first.
DbHandle openMigrated(const SqliteOptions& o) {
  // Before the first write (WAL mode, migrations): another application's file stays untouched.
  checkDatabaseFile(o.path, newestSchemaVersion(), o.quickCheck);
  DbHandle db = openDatabase(o.path, false, o.fullSync);
  migrate(db.get());
  if (o.maxBytes > 0) {
    Statement pageSize(db.get(), "PRAGMA page_size");
    pageSize.step();
    const auto pages = std::max<std::int64_t>(1, o.maxBytes / pageSize.integer(0));
    execute(db.get(), ("PRAGMA max_page_count=" + std::to_string(pages)).c_str());
  }
  return db;
}

// The id that ties the body journal's directory to this database: made once, kept in journal_state.
std::string journalIdOf(sqlite3* db) {
  {
    Statement s(db, "SELECT journal_id FROM journal_state WHERE id = 1");
    if (s.step() == SQLITE_ROW) return s.text(0);
  }
  std::random_device random;
  char id[33];
  std::snprintf(id, sizeof id, "%08x%08x%08x%08x", random(), random(), random(), random());
  Statement insert(db, "INSERT INTO journal_state (id, journal_id, end_segment, end_offset) VALUES (1, ?1, 1, 0)");
  insert.bind(1, std::string(id));
  if (insert.step() != SQLITE_DONE)
    throw std::runtime_error(std::string("cannot start the body journal: ") + sqlite3_errmsg(db));
  return id;
}

std::int64_t fileBytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

}  // namespace

core::Error storeError(int rc, int systemErrno) {
  if ((rc & 0xff) == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT)
    return core::Error::unavailable("store_full", "store cannot commit: no room left (disk or store.max_bytes)",
                                    kFullRetryAfterSeconds);
  return core::Error::unavailable("store_unavailable", std::string("store cannot commit: ") + sqlite3_errstr(rc), 1);
}

Database::Database(SqliteOptions options)
    : options_(std::move(options)),
      writer_(openMigrated(options_)),
      begin_(writer_.get(), "BEGIN IMMEDIATE"),
      commit_(writer_.get(), "COMMIT"),
      rollback_(writer_.get(), "ROLLBACK") {
  const auto dir = std::filesystem::path(options_.path).parent_path();
  const auto path = options_.path;
  journal_ = std::make_unique<BodyJournal>(BodyJournal::Options{
      .dir = (dir.empty() ? std::filesystem::path(".") : dir) / "bodies",
      .journalId = journalIdOf(writer_.get()),
      .sync = options_.fullSync,
      .segmentBytes = options_.journalSegmentBytes,
      .maxBytes = options_.maxBytes,
      // The database file as store.max_bytes counts it (its page cap): the log is reused, not grown.
      .otherBytes = [path] { return fileBytes(path); },
  });
  // The hook replaces SQLite's automatic checkpoint (which would run inside a commit).
  sqlite3_wal_hook(writer_.get(), onWalCommit, this);
  checkpointer_ = std::thread([this] {
    core::nameThisThread("fh-checkpoint");
    checkpointLoop();
  });
}

Database::~Database() {
  {
    std::lock_guard lock(checkpointMutex_);
    stopping_ = true;
  }
  checkpointWake_.notify_one();
  checkpointer_.join();
}

void Database::committed(int walFrames) {
  if (walFrames >= kCheckpointFrames) requestCheckpoint();
  if (commitListener_) commitListener_();
}

void Database::requestCheckpoint() {
  {
    std::lock_guard lock(checkpointMutex_);
    checkpointWanted_ = true;
  }
  checkpointWake_.notify_one();
}

void Database::checkpointLoop() {
  DbHandle db = openDatabase(options_.path, false, options_.fullSync);
  for (;;) {
    std::unique_lock lock(checkpointMutex_);
    checkpointWake_.wait_for(lock, std::chrono::seconds(5), [&] { return stopping_ || checkpointWanted_; });
    if (stopping_) break;
    checkpointWanted_ = false;
    lock.unlock();
    // PASSIVE copies what it can without taking the writer's lock; the log is reused from its
    // start once a checkpoint has caught up.
    sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

Database::Lease::Lease(Database& o) : owner(o) {
  {
    std::lock_guard lock(owner.readersMutex_);
    if (!owner.idleReaders_.empty()) {
      db = std::move(owner.idleReaders_.back());
      owner.idleReaders_.pop_back();
      return;
    }
  }
  db = openDatabase(owner.options_.path, true, owner.options_.fullSync);
}

Database::Lease::~Lease() {
  std::lock_guard lock(owner.readersMutex_);
  owner.idleReaders_.push_back(std::move(db));
}

core::Result<std::int64_t> Database::deleteInBatches(const char* deleteSql, const std::function<void(Statement&)>& bind,
                                                     std::int64_t batch, const std::function<bool()>& between) {
  std::int64_t removed = 0;
  for (bool first = true;; first = false) {
    if (!first && between && !between()) return removed;
    std::int64_t step = 0;
    auto done = write(
        [&](sqlite3* db) -> core::Result<void> {
          Statement s(db, deleteSql);
          bind(s);
          must(s.step());
          step = sqlite3_changes(db);
          return {};
        },
        Sync::Relaxed);
    if (!done) return std::unexpected(done.error());
    removed += step;
    if (step < batch) return removed;
  }
}

core::Result<void> Database::write(const std::function<core::Result<void>(sqlite3*)>& body, Sync sync) {
  std::lock_guard lock(writeMutex_);
  sqlite3* db = writer_.get();
  // SQLite itself failed: the store is not ready (checkWritable) until a write succeeds again.
  auto storeFailed = [&](int rc) {
    lastWriteFailed_ = true;
    // The connection's errno is that of its last failed system call: it explains only an I/O error.
    auto error = storeError(rc, (rc & 0xff) == SQLITE_IOERR ? sqlite3_system_errno(db) : 0);
    if (error.reason == "store_full") {
      pagesLeftAtFull_ = pagesLeft();
      diskFreeAtFull_ = diskFreeBytes();
    }
    return std::unexpected(std::move(error));
  };
  // The level cannot change inside a transaction, so it is set before BEGIN, and only when it
  // differs: a durable transaction never begins while NORMAL is still in effect.
  const bool relaxed = sync == Sync::Relaxed && options_.fullSync;
  if (relaxed != relaxed_) {
    if (const int rc = execute(db, relaxed ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL"); rc != SQLITE_OK)
      return storeFailed(rc);
    relaxed_ = relaxed;
  }
  if (const int rc = begin_.run(); rc != SQLITE_DONE) return storeFailed(rc);
  core::Result<void> result;
  try {
    result = body(db);
    if (result) {
      if (const int rc = commit_.run(); rc != SQLITE_DONE) throw StepFailure{rc};
      lastWriteFailed_ = false;
      diskFreeAtFull_ = -1;  // the disk took a commit: it has room (other processes share it)
      return result;
    }
  } catch (const StepFailure& f) {
    result = storeFailed(f.rc);
  } catch (const std::exception& e) {
    result = std::unexpected(core::Error::internal(std::string("store write failed: ") + e.what()));
  }
  rollback_.run();
  // A statement left mid-step by the failure would refuse its next bind.
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s)) sqlite3_reset(s);
  return result;
}

int Database::checkpointAndTruncateLog() {
  std::lock_guard lock(writeMutex_);
  return sqlite3_wal_checkpoint_v2(writer_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

int Database::synchronousLevel() {
  std::lock_guard lock(writeMutex_);
  Statement s(writer_.get(), "PRAGMA synchronous");
  return s.step() == SQLITE_ROW ? static_cast<int>(s.integer(0)) : -1;
}

std::int64_t Database::diskFreeBytes() const {
  struct statvfs fs {};
  const auto dir = std::filesystem::path(options_.path).parent_path();
  if (statvfs(dir.empty() ? "." : dir.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

std::int64_t Database::pagesLeft() {
  if (options_.maxBytes <= 0) return -1;
  sqlite3* db = writer_.get();
  Statement pages(db, "PRAGMA page_count");
  pages.step();
  Statement maxPages(db, "PRAGMA max_page_count");
  maxPages.step();
  Statement freePages(db, "PRAGMA freelist_count");
  freePages.step();
  return maxPages.integer(0) - pages.integer(0) + freePages.integer(0);
}

JournalPosition Database::journalIndexedUpTo() {
  std::lock_guard lock(writeMutex_);
  Statement s(writer_.get(), "SELECT end_segment, end_offset FROM journal_state WHERE id = 1");
  if (s.step() != SQLITE_ROW) return {};
  return {s.integer(0), s.integer(1)};
}

core::Result<void> Database::checkWritable() {
  if (auto journal = journal_->checkWritable(); !journal) return journal;
  std::lock_guard lock(writeMutex_);
  sqlite3* db = writer_.get();
  if (options_.maxBytes > 0) {
    const auto left = pagesLeft();
    Statement maxPages(db, "PRAGMA max_page_count");
    maxPages.step();
    // Full when fewer than 1% of the allowed pages (at least 16) are left, or when a commit already
    // failed for lack of space and no room has appeared since.
    if (left < std::max<std::int64_t>(16, maxPages.integer(0) / 100) ||
        (pagesLeftAtFull_ >= 0 && left <= pagesLeftAtFull_))
      return std::unexpected(
          core::Error::unavailable("store_full", "store is full (store.max_bytes)", kFullRetryAfterSeconds));
  }
  if (diskFreeAtFull_ >= 0 && diskFreeBytes() < diskFreeAtFull_ + kRoomToRetry)
    return std::unexpected(core::Error::unavailable(
        "store_full", "store is full: no room left on the disk of " + options_.path, kFullRetryAfterSeconds));
  if (lastWriteFailed_) {
    // A no-op write transaction tells whether the database takes the write lock and syncs again.
    if (execute(db, "BEGIN IMMEDIATE") != SQLITE_OK || execute(db, "COMMIT") != SQLITE_OK) {
      execute(db, "ROLLBACK");
      return std::unexpected(core::Error::unavailable("store_unavailable", "store cannot commit", 5));
    }
  }
  return {};
}

}  // namespace forgehook::store::sqlite
