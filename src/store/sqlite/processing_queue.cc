#include "store/sqlite/processing_queue.h"

#include <algorithm>
#include <stdexcept>

#include "core/time.h"
#include "store/body_codec.h"
#include "store/sqlite/bound_sql.h"
#include "store/command_json.h"

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

SqliteProcessingQueue::SqliteProcessingQueue(Database& db, ChangeRecorder& changes, std::int64_t rebuildChunk)
    : db_(db),
      changes_(changes),
      statusOf_(db.writeConnection(), "SELECT status FROM deliveries WHERE id = ?1"),
      savepoint_(db.writeConnection(), "SAVEPOINT delivery"),
      release_(db.writeConnection(), "RELEASE delivery"),
      undo_(db.writeConnection(), "ROLLBACK TO delivery"),
      markProcessed_(db.writeConnection(),
                     "UPDATE deliveries SET status = 'processed', processed_at = ?2, process_attempts = "
                     "process_attempts + 1, next_attempt_at = 0, last_error = NULL WHERE id = ?1"),
      markFailed_(db.writeConnection(),
                  "UPDATE deliveries SET status = CASE WHEN ?2 IS NULL THEN 'dead' ELSE 'retrying' END, "
                  "next_attempt_at = coalesce(?2, 0), process_attempts = process_attempts + 1, last_error = ?3 "
                  "WHERE id = ?1"),
      markDuplicate_(db.writeConnection(),
                     "UPDATE deliveries SET status = 'duplicate', processed_at = ?2, process_attempts = "
                     "process_attempts + 1, next_attempt_at = 0, last_error = NULL WHERE id = ?1"),
      keyOwner_(db.writeConnection(), "SELECT source FROM event_keys WHERE forge = ?1 AND key = ?2"),
      claimKey_(db.writeConnection(),
                "INSERT INTO event_keys (forge, key, source, delivery, at) VALUES (?1, ?2, ?3, ?4, ?5)"),
      // Only at the delivery's first processing (processed_at still NULL: run before markProcessed_),
      // and once per rule whatever happens (the unique key).
      queueCommand_(db.writeConnection(),
                    "INSERT OR IGNORE INTO command_runs (delivery, rule, delivery_guid, forge, repository, event, "
                    "action, status, max_attempts, argv, env, workdir, payload_mode, queued_at, ended_at, error) "
                    "SELECT id, ?2, delivery_id, forge, repository, event, action, CASE WHEN ?9 IS NULL THEN "
                    "'queued' ELSE 'failed' END, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?9 IS NULL THEN NULL ELSE ?8 END, "
                    "?9 FROM deliveries WHERE id = ?1 AND processed_at IS NULL"),
      rebuildChunk_(std::max<std::int64_t>(1, rebuildChunk)),
      rebuildProgress_(db.writeConnection(), "SELECT queued_through, last_id FROM rebuild_progress WHERE id = 1"),
      // How many are still due up to the end of what a rebuild queued (counted up to ?3 only).
      pendingUpTo_(db.writeConnection(),
                   "SELECT count(*) FROM (SELECT 1 FROM deliveries INDEXED BY deliveries_pending WHERE status IN "
                   "('queued', 'retrying') AND id > ?1 AND id <= ?2 LIMIT ?3)"),
      projections_(db.writeConnection()) {
  // A rebuild in progress at start (after a restart, or begun by an older binary that took no reset
  // point when it started): what it processes from here is not recorded, so readers refetch here.
  // Looked for with a read: most starts have none and take no write lock. A failed write (a full
  // store) does not stop the start: the store reports it until a write succeeds, and the rebuild's
  // last reset point still tells readers to refetch.
  auto inProgress = db_.read<bool>([](sqlite3* db) -> core::Result<bool> {
    Statement s(db, "SELECT 1 FROM rebuild_progress");
    return s.step() == SQLITE_ROW;
  });
  if (inProgress && *inProgress)
    (void)db_.write([&](sqlite3*) -> core::Result<void> {
      if (rebuildProgress()) must(changes_.recordReset("rebuild_resumed", core::SystemClock{}.nowMicros()));
      return {};
    });
}

bool SqliteProcessingQueue::appliedElsewhere(const ProcessedDelivery& d, std::int64_t nowMicros) {
  if (d.eventKey.empty()) return false;
  const int rc = keyOwner_.bind(1, d.forge).bind(2, d.eventKey).step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw StepFailure{rc};
  const std::optional<std::string> owner = rc == SQLITE_ROW ? std::optional(keyOwner_.text(0)) : std::nullopt;
  keyOwner_.reset();
  if (owner) return *owner != d.source;
  must(claimKey_.bind(1, d.forge).bind(2, d.eventKey).bind(3, d.source).bind(4, d.id).bind(5, nowMicros).run());
  return false;
}

void SqliteProcessingQueue::queueCommands(const ProcessedDelivery& d, std::int64_t nowMicros) {
  for (const auto& c : d.commands) {
    queueCommand_.bind(1, d.id).bind(2, c.rule).bind(3, c.maxAttempts).bind(4, commandArgvJson(c.argv));
    queueCommand_.bind(5, commandEnvJson(c.env)).bind(6, c.workdir).bind(7, c.payloadMode).bind(8, nowMicros);
    if (c.error.empty())
      queueCommand_.bindNull(9);
    else
      queueCommand_.bind(9, c.error);
    must(queueCommand_.run());
    if (sqlite3_changes(db_.writeConnection()) > 0)
      must(changes_.recordCreated(Resource::Commands, sqlite3_last_insert_rowid(db_.writeConnection()), nowMicros));
  }
}

core::Result<std::vector<QueuedDelivery>> SqliteProcessingQueue::dueForProcessing(int max, std::int64_t nowMicros,
                                                                                  std::int64_t afterId) {
  return db_.read<std::vector<QueuedDelivery>>([&](sqlite3* db) -> core::Result<std::vector<QueuedDelivery>> {
    // The partial index walks the pending deliveries in id order and stops at the limit. Left to
    // itself the planner took deliveries_status and sorted the whole backlog, bodies included, on
    // every claim: a backlog of 30,000 cost more than the processing. While a rebuild is in
    // progress, only up to what it has queued: deliveries received meanwhile come after it (in a
    // batch filled up with them, a new copy of an event would claim its key before the old one).
    Statement s(
        db,
        "SELECT id, forge, event, action, repository, sender, content_type, received_at, process_attempts, "
        "b.body_encoding, b.body, source, delivery_id, processed_at IS NOT NULL, body_segment, body_offset, "
        "body_length FROM deliveries INDEXED BY deliveries_pending "
        "LEFT JOIN delivery_bodies b ON b.delivery = id "
        "WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ?1 AND id > ?3 AND id <= coalesce((SELECT "
        "p.queued_through FROM rebuild_progress p), 9223372036854775807) ORDER BY id LIMIT ?2");
    s.bind(1, nowMicros).bind(2, static_cast<std::int64_t>(max)).bind(3, afterId);
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
      d.source = s.text(11);
      d.deliveryId = s.text(12);
      d.processedBefore = s.integer(13) != 0;
      if (!s.isNull(14)) {
        // In the body journal (rows since migration 12); delivery_bodies holds older ones.
        auto stored = db_.journal().read({s.integer(14), s.integer(15), s.integer(16)});
        auto body = stored ? decodeBody(stored->body, stored->bodyEncoding)
                           : core::Result<std::string>(std::unexpected(stored.error()));
        if (body)
          d.rawBody = std::move(*body);
        else
          d.loadError = body.error().message;
      } else if (auto body = decodeBody(s.blob(10), s.text(9))) {
        d.rawBody = std::move(*body);
      } else {
        d.loadError = body.error().message;
      }
    }
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return out;
  });
}

core::Result<FinishedBatch> SqliteProcessingQueue::finishProcessing(std::span<const ProcessedDelivery> done,
                                                                    std::span<const FailedDelivery> failed,
                                                                    std::int64_t nowMicros) {
  FinishedBatch outcome;
  auto committed = db_.write(
      [&](sqlite3*) -> core::Result<void> {
        outcome = {};
        // During a rebuild the feed records a reset point at its end instead of every row and status.
        const auto rebuild = rebuildProgress();
        ChangeRecorder::Muted rebuilding{changes_, rebuild.has_value()};
        auto markFailed = [&](std::int64_t id, std::optional<std::int64_t> retryAt, const std::string& error) {
          must(statusOf_.bind(1, id).step(), SQLITE_ROW);
          const std::string before = statusOf_.text(0);
          statusOf_.reset();
          markFailed_.bind(1, id);
          if (retryAt)
            markFailed_.bind(2, *retryAt);
          else
            markFailed_.bindNull(2);
          markFailed_.bind(3, error);
          must(markFailed_.run());
          // A retry that fails again stays "retrying": the feed hears of a status only when it changes.
          if (before != (retryAt ? "retrying" : "dead")) must(changes_.recordDelivery(id, "updated", nowMicros));
        };
        for (const auto& d : done) {
          must(savepoint_.run());
          // Inside the savepoint: a claim is undone with the records of a delivery they dead-letter.
          if (appliedElsewhere(d, nowMicros)) {
            must(markDuplicate_.bind(1, d.id).bind(2, nowMicros).run());
            must(changes_.recordDelivery(d.id, "updated", nowMicros));
            must(release_.run());
            ++outcome.duplicates;
            continue;
          }
          int rc = SQLITE_DONE;
          std::string problem;
          ChangeRecorder::Scope watching{changes_};
          try {
            changes_.watch(d);
            for (const auto& write : d.writes)
              if ((rc = projections_.apply(write)) != SQLITE_DONE) break;
            if (rc == SQLITE_DONE) rc = projections_.apply(d.activity, d.id);
            for (const auto& scope : d.incidentScopes)
              if (rc == SQLITE_DONE) rc = projections_.recomputeIncidents(scope);
            if (rc == SQLITE_DONE) rc = changes_.record(nowMicros);
            if (rc != SQLITE_DONE) problem = std::string("projection write failed: ") + sqlite3_errstr(rc);
          } catch (const std::exception& e) {  // a record the schema refuses (bad identifier, bad SQL)
            problem = e.what();
          }
          if (!problem.empty()) {
            if (storeWide(rc)) throw StepFailure{rc};
            // This delivery's records cannot be written; retrying will not help. Undo them, keep the error.
            must(undo_.run());
            must(release_.run());
            markFailed(d.id, std::nullopt, problem);
            ++outcome.deadLettered;
            continue;
          }
          queueCommands(d, nowMicros);
          must(markProcessed_.bind(1, d.id).bind(2, nowMicros).run());
          must(changes_.recordDelivery(d.id, "updated", nowMicros));
          must(release_.run());
        }
        for (const auto& f : failed) markFailed(f.id, f.retryAt, f.error);
        std::int64_t batchLastId = 0;
        for (const auto& d : done) batchLastId = std::max(batchLastId, d.id);
        for (const auto& f : failed) batchLastId = std::max(batchLastId, f.id);
        if (rebuild) continueRebuild(*rebuild, batchLastId, nowMicros);
        return {};
      },
      Database::Sync::Relaxed);
  if (!committed) return std::unexpected(committed.error());
  return outcome;
}

core::Result<std::int64_t> SqliteProcessingQueue::pruneEventKeys(std::int64_t cutoffMicros, int maxRows) {
  std::int64_t pruned = 0;
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    // event_keys_at finds the oldest; the primary key deletes them.
    Statement s(db,
                "DELETE FROM event_keys WHERE (forge, key) IN (SELECT forge, key FROM event_keys WHERE at < ?1 "
                "ORDER BY at LIMIT ?2)");
    must(s.bind(1, cutoffMicros).bind(2, static_cast<std::int64_t>(maxRows)).run());
    pruned = sqlite3_changes(db);
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return pruned;
}

core::Result<std::int64_t> SqliteProcessingQueue::requeue(const DeliveryFilter& asked, std::int64_t nowMicros) {
  DeliveryFilter filter = asked;
  filter.withBodyOnly = true;  // a pruned body cannot be processed again
  std::int64_t changed = 0;
  bool pruned = false;
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    changed = queueAgain(filter, nowMicros);
    if (changed == 0 && filter.id) {
      Statement of(db, "SELECT body_pruned_at IS NOT NULL FROM deliveries WHERE id = ?1");
      pruned = of.bind(1, *filter.id).step() == SQLITE_ROW && of.integer(0) != 0;
    }
    return {};
  });
  if (!result) return std::unexpected(result.error());
  if (pruned)
    return std::unexpected(core::Error::conflict(
        "body_pruned", "delivery " + std::to_string(*filter.id) + " cannot be replayed: retention pruned its body"));
  return changed;
}

std::int64_t SqliteProcessingQueue::queueAgain(const DeliveryFilter& filter, std::int64_t nowMicros) {
  must(changes_.recordRequeued(filter, nowMicros));
  BoundSql update{
      "UPDATE deliveries SET status = 'queued', next_attempt_at = 0, process_attempts = 0, last_error = NULL "
      "WHERE 1=1",
      {}};
  addDeliveryFilter(update, filter);
  Statement s(db_.writeConnection(), update.sql);
  update.bindTo(s);
  must(s.step());
  return sqlite3_changes(db_.writeConnection());
}

std::int64_t SqliteProcessingQueue::requeueRange(std::int64_t after, std::int64_t through, std::int64_t nowMicros) {
  DeliveryFilter range;
  range.withBodyOnly = true;
  range.idAbove = after;
  range.idAtMost = through;
  return queueAgain(range, nowMicros);
}

bool SqliteProcessingQueue::queueRebuildChunks(std::int64_t after, std::int64_t lastId, std::int64_t nowMicros) {
  // A chunk of pruned deliveries would queue nothing, and nothing would then come to
  // finishProcessing to ask for the next: each chunk starts at the next delivery with a body.
  sqlite3* db = db_.writeConnection();
  Statement nextWithBody(db, "SELECT min(id) FROM deliveries WHERE id > ?1 AND id <= ?2 AND body_pruned_at IS NULL");
  std::int64_t queued = 0;
  while (queued == 0 && after < lastId) {
    must(nextWithBody.bind(1, after).bind(2, lastId).step(), SQLITE_ROW);
    if (nextWithBody.isNull(0)) {
      after = lastId;
      break;
    }
    after = nextWithBody.integer(0) - 1;
    nextWithBody.reset();
    const auto through = std::min(after + rebuildChunk_, lastId);
    queued = requeueRange(after, through, nowMicros);
    after = through;
  }
  if (after >= lastId) {
    must(execute(db, "DELETE FROM rebuild_progress"), SQLITE_OK);
    return true;
  }
  Statement progress(db, "INSERT OR REPLACE INTO rebuild_progress (id, queued_through, last_id) VALUES (1, ?1, ?2)");
  must(progress.bind(1, after).bind(2, lastId).run());
  return false;
}

std::optional<SqliteProcessingQueue::RebuildProgress> SqliteProcessingQueue::rebuildProgress() {
  const int rc = rebuildProgress_.step();
  std::optional<RebuildProgress> out;
  if (rc == SQLITE_ROW) out = RebuildProgress{rebuildProgress_.integer(0), rebuildProgress_.integer(1)};
  rebuildProgress_.reset();
  if (rc != SQLITE_ROW) must(rc);
  return out;
}

void SqliteProcessingQueue::continueRebuild(const RebuildProgress& rebuild, std::int64_t batchLastId,
                                            std::int64_t nowMicros) {
  const auto [queuedThrough, lastId] = rebuild;
  // Queued before the backlog runs dry, so it never reads 0 midway (what a caller waiting for the
  // rebuild watches), and counted on the pending index up to the low-water mark only.
  const std::int64_t lowWater = std::min<std::int64_t>(1024, std::max<std::int64_t>(1, rebuildChunk_ / 2));
  must(pendingUpTo_.bind(1, batchLastId).bind(2, queuedThrough).bind(3, lowWater).step(), SQLITE_ROW);
  const auto left = pendingUpTo_.integer(0);
  pendingUpTo_.reset();
  // What is processed after the last chunk is queued is recorded again: readers refetch here.
  if (left < lowWater && queueRebuildChunks(queuedThrough, lastId, nowMicros))
    must(changes_.recordReset("rebuild_finished", nowMicros));
}

core::Result<RebuildOutcome> SqliteProcessingQueue::rebuildProjections(std::int64_t nowMicros) {
  return startRebuild(nowMicros, /*mayEmpty=*/true);
}

core::Result<std::int64_t> SqliteProcessingQueue::replayAll(std::int64_t nowMicros) {
  auto outcome = startRebuild(nowMicros, /*mayEmpty=*/false);
  if (!outcome) return std::unexpected(outcome.error());
  return outcome->queued;
}

core::Result<RebuildOutcome> SqliteProcessingQueue::startRebuild(std::int64_t nowMicros, bool mayEmpty) {
  RebuildOutcome outcome;
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    outcome = {};
    // Counted as all rows less those with a body, two counts of an index alone: a scan for
    // body_pruned_at would read every row (and a large body's overflow pages: the column follows it).
    Statement counts(db,
                     "SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM deliveries INDEXED BY "
                     "deliveries_unpruned WHERE body_pruned_at IS NULL), (SELECT coalesce(max(id), 0) FROM deliveries)");
    must(counts.step(), SQLITE_ROW);
    outcome.queued = counts.integer(1);
    outcome.pruned = counts.integer(0) - outcome.queued;
    const auto lastId = counts.integer(2);
    const bool emptying = mayEmpty && outcome.pruned == 0;
    // Nothing to empty and nothing to queue (every body pruned): nothing changes, no reader is reset.
    if (!emptying && outcome.queued == 0) return {};
    if (emptying) {
      for (const auto& table : ProjectionWriter::derivedTables())
        must(execute(db, ("DELETE FROM " + table).c_str()), SQLITE_OK);
      // Every delivery is applied anew, in id order: the first of each event's copies claims its key again.
      must(execute(db, "DELETE FROM event_keys"), SQLITE_OK);
    }
    // With pruned bodies the claimed keys stay too: a delivery finds its own claim and is applied again.
    // A rebuild asked for again starts over: its chunks are queued from the first delivery on.
    // Readers refetch from here (the emptied projections were not recorded deleted) and again when
    // the last chunk is queued (the rows re-created until then are not recorded either).
    must(changes_.recordReset("rebuild_started", nowMicros));
    ChangeRecorder::Muted rebuilding{changes_, true};
    if (queueRebuildChunks(0, lastId, nowMicros)) must(changes_.recordReset("rebuild_finished", nowMicros));
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return outcome;
}

}  // namespace forgehook::store::sqlite
