#include "store/sqlite/sqlite_store.h"

#include <nlohmann/json.hpp>

#include "store/body_codec.h"
#include "store/sqlite/bound_sql.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/statement.h"
#include "store/sqlite/writer.h"

namespace forgehook::store::sqlite {
namespace {

void closeDb(sqlite3* db) { sqlite3_close_v2(db); }

constexpr const char* kSummaryColumns =
    "id, forge, delivery_id, hook_id, event, action, repository, sender, content_type, verification, status, "
    "received_at, last_attempt_at, attempts, body_size";

void readSummary(const Statement& s, DeliverySummary& d) {
  d.id = s.integer(0);
  d.forge = s.text(1);
  d.deliveryId = s.text(2);
  d.hookId = s.text(3);
  d.event = s.text(4);
  d.action = s.text(5);
  d.repository = s.text(6);
  d.sender = s.text(7);
  d.contentType = s.text(8);
  d.verification = s.text(9);
  d.status = s.text(10);
  d.receivedAt = s.integer(11);
  d.lastAttemptAt = s.integer(12);
  d.attempts = s.integer(13);
  d.bodySize = s.integer(14);
}

}  // namespace

core::Error storeError(int rc) {
  const int base = rc & 0xff;
  std::string what = sqlite3_errstr(rc);
  if (base == SQLITE_FULL) what = "store is full (disk or store.max_bytes)";
  return core::Error::unavailable("store_unavailable", "store cannot commit: " + what, 1);
}

namespace {
constexpr int kCheckpointFrames = 2000;  // ~8 MB of log before a checkpoint is asked for

int onWalCommit(void* self, sqlite3*, const char*, int frames) {
  if (frames >= kCheckpointFrames) static_cast<SqliteStore*>(self)->requestCheckpoint();
  return SQLITE_OK;
}
}  // namespace

SqliteStore::SqliteStore(SqliteOptions options)
    : options_(std::move(options)), writer_(std::make_unique<Writer>(options_)) {
  // The hook replaces SQLite's automatic checkpoint (which would run inside a commit).
  sqlite3_wal_hook(writer_->db.get(), onWalCommit, this);
  checkpointer_ = std::thread([this] { checkpointLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(checkpointMutex_);
    stopping_ = true;
  }
  checkpointWake_.notify_one();
  checkpointer_.join();
}

void SqliteStore::requestCheckpoint() {
  {
    std::lock_guard lock(checkpointMutex_);
    checkpointWanted_ = true;
  }
  checkpointWake_.notify_one();
}

void SqliteStore::checkpointLoop() {
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

SqliteStore::ReaderLease SqliteStore::leaseReader() {
  {
    std::lock_guard lock(readersMutex_);
    if (!idleReaders_.empty()) {
      auto db = std::move(idleReaders_.back());
      idleReaders_.pop_back();
      return ReaderLease(*this, std::move(db));
    }
  }
  DbHandle fresh = openDatabase(options_.path, true, options_.fullSync);
  return ReaderLease(*this, std::unique_ptr<sqlite3, void (*)(sqlite3*)>(fresh.release(), closeDb));
}

core::Result<void> SqliteStore::inWriteTransaction(const std::function<core::Result<void>(Writer&)>& body, Sync sync) {
  std::lock_guard lock(writeMutex_);
  auto& w = *writer_;
  // SQLite itself failed: the store is not ready (checkWritable) until a write succeeds again.
  auto storeFailed = [&](int rc) {
    lastWriteFailed_ = true;
    if ((rc & 0xff) == SQLITE_FULL) pagesLeftAtFull_ = pagesLeft();
    return std::unexpected(storeError(rc));
  };
  // The level cannot change inside a transaction, so it is set before BEGIN, and only when it
  // differs: a durable transaction never begins while NORMAL is still in effect.
  const bool relaxed = sync == Sync::Relaxed && options_.fullSync;
  if (relaxed != w.relaxed) {
    if (const int rc = execute(w.db.get(), relaxed ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
        rc != SQLITE_OK)
      return storeFailed(rc);
    w.relaxed = relaxed;
  }
  if (const int rc = w.begin.run(); rc != SQLITE_DONE) return storeFailed(rc);
  core::Result<void> result;
  try {
    result = body(w);
    if (result) {
      if (const int rc = w.commit.run(); rc != SQLITE_DONE) throw StepFailure{rc};
      lastWriteFailed_ = false;
      return result;
    }
  } catch (const StepFailure& f) {
    result = storeFailed(f.rc);
  } catch (const std::exception& e) {
    result = std::unexpected(core::Error::internal(std::string("store write failed: ") + e.what()));
  }
  w.rollback.run();
  // A statement left mid-step by the failure would refuse its next bind.
  for (sqlite3_stmt* s = sqlite3_next_stmt(w.db.get(), nullptr); s; s = sqlite3_next_stmt(w.db.get(), s))
    sqlite3_reset(s);
  return result;
}

core::Result<std::vector<AppendOutcome>> SqliteStore::appendBatch(std::span<const NewDelivery> batch) {
  std::vector<AppendOutcome> outcomes;
  outcomes.reserve(batch.size());
  auto committed = inWriteTransaction([&](Writer& w) -> core::Result<void> {
    for (const auto& d : batch) {
      w.insert.bind(1, d.forge).bind(2, d.hookId).bind(3, d.deliveryId).bind(4, d.event).bind(5, d.action);
      w.insert.bind(6, d.repository).bind(7, d.sender).bind(8, d.receivedAt).bind(9, d.bodySize);
      w.insert.bind(10, d.contentType).bind(11, d.verification).bind(12, d.headersJson).bind(13, d.bodyEncoding);
      w.insert.bindBlob(14, d.body);
      must(w.insert.step(), SQLITE_ROW);
      const auto id = w.insert.integer(0);
      const auto attempts = w.insert.integer(1);
      must(w.insert.run());  // finish RETURNING
      outcomes.push_back({attempts == 1 ? AppendStatus::Inserted : AppendStatus::Duplicate, id});
      if (d.isPing && !d.hookId.empty()) must(w.hook.bind(1, d.forge).bind(2, d.hookId).bind(3, d.receivedAt).run());
    }
    return {};
  });
  if (!committed) return std::unexpected(committed.error());
  return outcomes;
}

core::Result<DeliveryPage> SqliteStore::listDeliveries(const DeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 500"));
  BoundSql query{std::string("SELECT ") + kSummaryColumns + " FROM deliveries WHERE 1=1", {}};
  addDeliveryFilter(query, filter);
  if (filter.beforeId) query.add(" AND id < ", *filter.beforeId);
  query.sql += " ORDER BY id DESC LIMIT " + std::to_string(filter.limit + 1);

  try {
    auto reader = leaseReader();
    Statement s(reader.get(), query.sql);
    query.bindTo(s);
    DeliveryPage page;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      if (static_cast<int>(page.deliveries.size()) == filter.limit) {
        page.nextCursor = page.deliveries.back().id;
        break;
      }
      readSummary(s, page.deliveries.emplace_back());
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return page;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<DeliveryDetail> SqliteStore::getDelivery(std::int64_t id) {
  try {
    auto reader = leaseReader();
    Statement s(reader.get(), std::string("SELECT ") + kSummaryColumns +
                                  ", headers, body_encoding, body FROM deliveries WHERE id = ?1");
    s.bind(1, id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return std::unexpected(core::Error::notFound("no delivery with id " + std::to_string(id)));
    if (rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    DeliveryDetail d;
    readSummary(s, d);
    d.headersJson = s.text(15);
    auto body = decodeBody(s.blob(17), s.text(16));
    if (!body) return std::unexpected(body.error());
    d.rawBody = std::move(*body);
    return d;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<std::vector<ScopedSecrets>> SqliteStore::loadSecrets() {
  try {
    auto reader = leaseReader();
    Statement s(reader.get(), "SELECT forge, scope, key, secrets FROM scoped_secrets ORDER BY forge, scope, key");
    std::vector<ScopedSecrets> out;
    while (s.step() == SQLITE_ROW) {
      ScopedSecrets item{s.text(0), s.text(1), s.text(2), {}};
      item.secrets = nlohmann::json::parse(s.text(3)).get<std::vector<std::string>>();
      out.push_back(std::move(item));
    }
    return out;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<void> SqliteStore::putSecrets(const ScopedSecrets& secrets) {
  return inWriteTransaction([&](Writer& w) -> core::Result<void> {
    Statement s(w.db.get(),
                "INSERT INTO scoped_secrets (forge, scope, key, secrets, updated_at) VALUES (?1, ?2, ?3, ?4, "
                "unixepoch()) ON CONFLICT (forge, scope, key) DO UPDATE SET secrets = excluded.secrets, "
                "updated_at = excluded.updated_at");
    s.bind(1, secrets.forge)
        .bind(2, secrets.scope)
        .bind(3, secrets.key)
        .bind(4, nlohmann::json(secrets.secrets).dump());
    must(s.step());
    return {};
  });
}

core::Result<void> SqliteStore::deleteSecrets(const std::string& forge, const std::string& scope,
                                              const std::string& key) {
  return inWriteTransaction([&](Writer& w) -> core::Result<void> {
    Statement s(w.db.get(), "DELETE FROM scoped_secrets WHERE forge = ?1 AND scope = ?2 AND key = ?3");
    s.bind(1, forge).bind(2, scope).bind(3, key);
    must(s.step());
    if (sqlite3_changes(w.db.get()) == 0)
      return std::unexpected(core::Error::notFound("no secrets stored for " + scope + " " + key));
    return {};
  });
}

int SqliteStore::synchronousLevel() {
  std::lock_guard lock(writeMutex_);
  Statement s(writer_->db.get(), "PRAGMA synchronous");
  return s.step() == SQLITE_ROW ? static_cast<int>(s.integer(0)) : -1;
}

std::int64_t SqliteStore::pagesLeft() {
  if (options_.maxBytes <= 0) return -1;
  sqlite3* db = writer_->db.get();
  Statement pages(db, "PRAGMA page_count");
  pages.step();
  Statement maxPages(db, "PRAGMA max_page_count");
  maxPages.step();
  Statement freePages(db, "PRAGMA freelist_count");
  freePages.step();
  return maxPages.integer(0) - pages.integer(0) + freePages.integer(0);
}

core::Result<void> SqliteStore::checkWritable() {
  std::lock_guard lock(writeMutex_);
  sqlite3* db = writer_->db.get();
  if (options_.maxBytes > 0) {
    const auto left = pagesLeft();
    Statement maxPages(db, "PRAGMA max_page_count");
    maxPages.step();
    // Full when fewer than 1% of the allowed pages (at least 16) are left, or when a commit already
    // failed for lack of space and no room has appeared since.
    if (left < std::max<std::int64_t>(16, maxPages.integer(0) / 100) ||
        (pagesLeftAtFull_ >= 0 && left <= pagesLeftAtFull_))
      return std::unexpected(core::Error::unavailable("store_unavailable", "store is full (store.max_bytes)", 30));
  }
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
