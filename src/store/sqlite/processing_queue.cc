// SqliteStore: the delivery log as the pipeline's durable queue (store.h, "The processing queue").
#include <stdexcept>

#include "store/body_codec.h"
#include "store/sqlite/bound_sql.h"
#include "store/sqlite/writer.h"

namespace forgehook::store::sqlite {
namespace {

// Errors that say the store itself cannot write: the whole batch waits and is tried again. Any
// other failure belongs to one delivery's records and dead-letters that delivery alone.
bool storeWide(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

}  // namespace

core::Result<std::vector<QueuedDelivery>> SqliteStore::dueForProcessing(int max, std::int64_t nowMicros) {
  try {
    auto reader = leaseReader();
    Statement s(reader.get(),
                "SELECT id, forge, event, action, repository, sender, content_type, received_at, process_attempts, "
                "body_encoding, body FROM deliveries WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ?1 "
                "ORDER BY id LIMIT ?2");
    s.bind(1, nowMicros).bind(2, static_cast<std::int64_t>(max));
    std::vector<QueuedDelivery> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      auto& d = out.emplace_back();
      d.id = s.integer(0);
      d.forge = s.text(1);
      d.event = s.text(2);
      d.action = s.text(3);
      d.repository = s.text(4);
      d.sender = s.text(5);
      d.contentType = s.text(6);
      d.receivedAt = s.integer(7);
      d.processAttempts = s.integer(8);
      if (auto body = decodeBody(s.blob(10), s.text(9)))
        d.rawBody = std::move(*body);
      else
        d.loadError = body.error().message;
    }
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return out;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<int> SqliteStore::finishProcessing(std::span<const ProcessedDelivery> done,
                                                std::span<const FailedDelivery> failed, std::int64_t nowMicros) {
  int deadLettered = 0;
  auto committed = inWriteTransaction(
      [&](Writer& w) -> core::Result<void> {
        deadLettered = 0;
        auto markFailed = [&](std::int64_t id, std::optional<std::int64_t> retryAt, const std::string& error) {
          w.markFailed.bind(1, id);
          if (retryAt)
            w.markFailed.bind(2, *retryAt);
          else
            w.markFailed.bindNull(2);
          w.markFailed.bind(3, error);
          must(w.markFailed.run());
        };
        for (const auto& d : done) {
          must(w.savepoint.run());
          int rc = SQLITE_DONE;
          std::string problem;
          try {
            for (const auto& write : d.writes)
              if ((rc = w.projections.apply(write)) != SQLITE_DONE) break;
            if (rc == SQLITE_DONE) rc = w.projections.apply(d.activity, d.id);
            for (const auto& scope : d.incidentScopes)
              if (rc == SQLITE_DONE) rc = w.projections.recomputeIncidents(scope);
            if (rc != SQLITE_DONE) problem = std::string("projection write failed: ") + sqlite3_errstr(rc);
          } catch (const std::exception& e) {  // a record the schema refuses (bad identifier, bad SQL)
            problem = e.what();
          }
          if (!problem.empty()) {
            if (storeWide(rc)) throw StepFailure{rc};
            // This delivery's records cannot be written; retrying will not help. Undo them, keep the error.
            must(w.undo.run());
            must(w.release.run());
            markFailed(d.id, std::nullopt, problem);
            ++deadLettered;
            continue;
          }
          must(w.markProcessed.bind(1, d.id).bind(2, nowMicros).run());
          must(w.release.run());
        }
        for (const auto& f : failed) markFailed(f.id, f.retryAt, f.error);
        return {};
      },
      Sync::Relaxed);
  if (!committed) return std::unexpected(committed.error());
  return deadLettered;
}

core::Result<std::int64_t> SqliteStore::requeue(const DeliveryFilter& filter) {
  std::int64_t changed = 0;
  auto result = inWriteTransaction([&](Writer& w) -> core::Result<void> {
    BoundSql update{
        "UPDATE deliveries SET status = 'queued', next_attempt_at = 0, process_attempts = 0, "
        "last_error = NULL WHERE 1=1",
        {}};
    addDeliveryFilter(update, filter);
    Statement s(w.db.get(), update.sql);
    update.bindTo(s);
    must(s.step());
    changed = sqlite3_changes(w.db.get());
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return changed;
}

core::Result<std::int64_t> SqliteStore::rebuildProjections() {
  std::int64_t queued = 0;
  auto result = inWriteTransaction([&](Writer& w) -> core::Result<void> {
    for (const auto& table : ProjectionWriter::derivedTables())
      must(execute(w.db.get(), ("DELETE FROM " + table).c_str()), SQLITE_OK);
    must(execute(w.db.get(),
                 "UPDATE deliveries SET status = 'queued', next_attempt_at = 0, process_attempts = 0, "
                 "last_error = NULL"),
         SQLITE_OK);
    queued = sqlite3_changes(w.db.get());
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return queued;
}

}  // namespace forgehook::store::sqlite
