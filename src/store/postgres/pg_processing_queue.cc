#include "store/postgres/pg_processing_queue.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <set>
#include <utility>

#include "store/command_json.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_change_recorder.h"
#include "store/postgres/pg_delivery_sql.h"
#include "store/postgres/pg_projection_writer.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/pg_values.h"
#include "store/projection_sql.h"

namespace forgehook::store::postgres {
namespace {

void mustAppend(PgConnection& c, std::span<const PendingChange> records) {
  if (auto appended = appendChanges(c, records); !appended) throw PgStatementFailed{appended.error()};
}

struct RebuildProgress {
  std::int64_t queuedThrough, lastId;
};

// Taken by a rebuild's start alone, and shared by every batch's commit: a rebuild starts between
// commits (it empties the projections and the event keys a commit writes; interleaved, the two
// would wait on each other's rows).
constexpr const char* kRebuildLock = "7381244102692073328";

// In a batch's commit: the rebuild lock shared, then the rebuild in progress, locked (FOR UPDATE:
// two nodes never queue the same chunk).
std::optional<RebuildProgress> rebuildProgress(PgConnection& c) {
  auto row = pgMust(c.exec(std::string("SELECT pg_advisory_xact_lock_shared(") + kRebuildLock +
                         "); SELECT queued_through, last_id FROM rebuild_progress WHERE id = 1 FOR UPDATE"));
  if (row.rows() == 0) return std::nullopt;
  return RebuildProgress{row.integer(0, 0), row.integer(0, 1)};
}

// Queues the deliveries `filter` matches again; with `records`, appends the feed's record of each
// whose status changes. Returns how many it queued.
std::int64_t queueAgain(PgConnection& c, const DeliveryFilter& filter, std::int64_t now,
                        std::vector<PendingChange>* records) {
  PgQuery where;
  addDeliveryFilter(where, filter);
  if (records) {
    PgQuery changing = where;
    changing.sql += " AND status <> 'queued'";
    auto changed = deliveryRecords(c, changing, "updated", "queued", now);
    if (!changed) throw PgStatementFailed{changed.error()};
    records->insert(records->end(), changed->begin(), changed->end());
  }
  return pgMust(c.exec("UPDATE deliveries SET status = 'queued', next_attempt_at = 0, process_attempts = 0, "
                     "last_error = NULL WHERE true" +
                         where.sql,
                     where.params))
      .affected();
}

// Queues a rebuild's next chunks from `after` on, until one of them queued something or `lastId`
// is reached, and stores where it got to. Returns true when nothing is left (progress deleted).
// A chunk of pruned deliveries would queue nothing, and nothing would then come to
// finishProcessing to ask for the next: each chunk starts at the next delivery with a body.
bool queueRebuildChunks(PgConnection& c, std::int64_t after, std::int64_t lastId, std::int64_t chunk,
                        std::int64_t now) {
  std::int64_t queued = 0;
  while (queued == 0 && after < lastId) {
    auto next = pgMust(c.exec("SELECT min(id) FROM deliveries WHERE id > $1 AND id <= $2 AND body_pruned_at IS NULL",
                            {std::to_string(after), std::to_string(lastId)}));
    if (next.isNull(0, 0)) {
      after = lastId;
      break;
    }
    after = next.integer(0, 0) - 1;
    const auto through = std::min(after + chunk, lastId);
    DeliveryFilter range;
    range.withBodyOnly = true;
    range.idAbove = after;
    range.idAtMost = through;
    queued = queueAgain(c, range, now, nullptr);  // a rebuild records reset points, not rows
    after = through;
  }
  if (after >= lastId) {
    pgMust(c.exec("DELETE FROM rebuild_progress"));
    return true;
  }
  pgMust(c.exec("INSERT INTO rebuild_progress (id, queued_through, last_id) VALUES (1, $1, $2) ON CONFLICT (id) DO "
              "UPDATE SET queued_through = excluded.queued_through, last_id = excluded.last_id",
              {std::to_string(after), std::to_string(lastId)}));
  return false;
}

// Errors that say the store cannot write now (connection, deadlock, full disk): the whole batch
// waits and is tried again. Any other failure belongs to one delivery's records.
bool storeWide(const core::Error& e) { return e.code == core::Code::Unavailable; }

// One delivery's records could not be written; its savepoint is rolled back.
struct DeliveryRefused : std::runtime_error {
  explicit DeliveryRefused(const std::string& problem) : std::runtime_error("projection write failed: " + problem) {}
};

// A statement of one delivery's records: a store-wide failure fails the batch, another the delivery.
template <class R>
R forDelivery(R r) {
  if (r) return r;
  if (storeWide(r.error())) throw PgStatementFailed{r.error()};
  throw DeliveryRefused(r.error().message);
}

}  // namespace

PgProcessingQueue::PgProcessingQueue(PgPool& pool, std::string node, std::int64_t leaseMicros,
                                     std::int64_t rebuildChunk)
    : pool_(pool), claims_(std::move(node), leaseMicros), rebuildChunk_(std::max<std::int64_t>(1, rebuildChunk)) {}

core::Result<std::vector<QueuedDelivery>> PgProcessingQueue::dueForProcessing(int max, std::int64_t nowMicros,
                                                                             std::int64_t afterId) {
  InFlight inFlight;
  {
    std::lock_guard lock(mutex_);
    if (afterId == 0) inFlight_.clear();  // the pipeline dropped (or finished) everything it read before
    for (const auto& [id, token] : inFlight_) {
      inFlight.deliveryIds.push_back(id);
      inFlight.tokens.insert(token);
    }
    claiming_ = true;
  }
  struct Claimed {
    PgProcessingQueue& q;
    ~Claimed() {
      std::lock_guard lock(q.mutex_);
      q.claiming_ = false;
    }
  } claimed{*this};
  auto lease = pool_.lease();
  if (!lease) return std::unexpected(lease.error());
  // While a rebuild is in progress, only up to what it has queued: deliveries received meanwhile
  // come after it (in a batch filled up with them, a new copy of an event would claim its key
  // before the old one).
  auto progress = (*lease)->exec("SELECT queued_through FROM rebuild_progress WHERE id = 1");
  if (!progress) return std::unexpected(progress.error());
  const std::int64_t through = progress->rows() ? progress->integer(0, 0) : INT64_MAX;
  auto work = claims_.claimDue(**lease, max, nowMicros, inFlight, through);
  if (!work) return std::unexpected(work.error());
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < work->deliveries.size(); ++i) inFlight_[work->deliveries[i].id] = work->deliveryTokens[i];
  return std::move(work->deliveries);
}

std::vector<std::int64_t> PgProcessingQueue::tokensOf(std::span<const std::int64_t> ids) {
  std::lock_guard lock(mutex_);
  std::set<std::int64_t> tokens;
  for (const auto id : ids)
    if (auto it = inFlight_.find(id); it != inFlight_.end()) tokens.insert(it->second);
  return {tokens.begin(), tokens.end()};
}

void PgProcessingQueue::forget(std::span<const std::int64_t> ids) {
  std::lock_guard lock(mutex_);
  for (const auto id : ids) inFlight_.erase(id);
}

std::vector<std::int64_t> PgProcessingQueue::releasable(const std::vector<std::int64_t>& tokens,
                                                        std::span<const std::int64_t> ids) {
  std::lock_guard lock(mutex_);
  // A claim being taken right now may be this node's renewal of one of them, for work it is
  // about to hand out: kept (it runs out with its lease, or the next finish gives it back).
  if (claiming_) return {};
  const std::set<std::int64_t> finishing(ids.begin(), ids.end());
  std::set<std::int64_t> used;
  for (const auto& [id, token] : inFlight_)
    if (!finishing.contains(id)) used.insert(token);
  std::vector<std::int64_t> out;
  for (const auto t : tokens)
    if (!used.contains(t)) out.push_back(t);
  return out;
}

core::Result<FinishedBatch> PgProcessingQueue::finishProcessing(std::span<const ProcessedDelivery> done,
                                                               std::span<const FailedDelivery> failed,
                                                               std::int64_t now) {
  std::vector<std::int64_t> ids;
  for (const auto& d : done) ids.push_back(d.id);
  for (const auto& f : failed) ids.push_back(f.id);
  const auto tokens = tokensOf(ids);
  struct Forget {  // on every way out, committed or not
    PgProcessingQueue& q;
    std::span<const std::int64_t> ids;
    ~Forget() { q.forget(ids); }
  } forgetting{*this, ids};
  FinishedBatch outcome;
  // Relaxed: not waiting for the disk, as the SQLite store's processing commits: a result lost
  // with the database server is processed again from its delivery, which is durable. A later
  // durable commit (intake's) flushes this one with it.
  auto committed = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    // Locks this node's claims: no other node can take them over until this commits, and if one
    // did already (the lease ran out), the batch is that node's now.
    auto mine = claims_.confirm(c, tokens);
    if (!mine) throw PgStatementFailed{mine.error()};
    if (!*mine)
      throw PgStatementFailed{core::Error::unavailable(
          "claim_lost", "another node took over this batch's repositories (the claim's lease ran out)", 1)};
    // During a rebuild the feed records a reset point at its end instead of every row and status.
    // Locked: while a rebuild runs, batches commit one after the other (as on SQLite's one
    // writer), so none that read "rebuilding" commits unrecorded after the rebuild's last reset.
    const auto rebuild = rebuildProgress(c);
    const bool rebuilding = rebuild.has_value();
    std::vector<PendingChange> records;
    std::vector<std::pair<std::size_t, std::int64_t>> deliverySlots;  // records[slot]: that delivery's
    const auto recordDelivery = [&](std::int64_t id) {
      if (rebuilding) return;
      deliverySlots.emplace_back(records.size(), id);
      records.emplace_back();
    };
    const auto markFailed = [&](std::int64_t id, std::optional<std::int64_t> retryAt, const std::string& error) {
      auto before = pgMust(c.exec("SELECT status FROM deliveries WHERE id = $1", {std::to_string(id)}));
      if (before.rows() == 0) return;
      const auto status = before.text(0, 0);
      pgMust(c.exec("UPDATE deliveries SET status = CASE WHEN $2::bigint IS NULL THEN 'dead' ELSE 'retrying' END, "
                  "next_attempt_at = coalesce($2::bigint, 0), process_attempts = process_attempts + 1, "
                  "last_error = $3 WHERE id = $1",
                  {std::to_string(id), retryAt ? PgParam(std::to_string(*retryAt)) : PgParam(std::nullopt), error}));
      // A retry that fails again stays "retrying": the feed hears of a status only when it changes.
      if (status != (retryAt ? "retrying" : "dead")) recordDelivery(id);
    };
    for (const auto& d : done) {
      pgMust(c.exec("SAVEPOINT delivery"));
      try {
        // Inside the savepoint: a claimed key is undone with the records of a delivery they dead-letter.
        if (!d.eventKey.empty()) {
          auto owner = forDelivery(c.exec(
              // DO UPDATE (to the same value): it waits for a claim another node is committing and
              // returns the source that holds the key, where DO NOTHING would return nothing.
              "INSERT INTO event_keys (forge, key, source, delivery, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
              "(forge, key) DO UPDATE SET source = event_keys.source RETURNING source",
              {d.forge, d.eventKey, d.source, std::to_string(d.id), std::to_string(now)}));
          if (owner->rows() > 0 && owner->text(0, 0) != d.source) {
            pgMust(c.exec("UPDATE deliveries SET status = 'duplicate', processed_at = $2, process_attempts = "
                        "process_attempts + 1, next_attempt_at = 0, last_error = NULL WHERE id = $1",
                        {std::to_string(d.id), std::to_string(now)}));
            recordDelivery(d.id);
            pgMust(c.exec("RELEASE delivery"));
            ++outcome.duplicates;
            continue;
          }
        }
        PgChangeRecorder recorder(c);
        PgProjectionWriter writer(c);
        if (!rebuilding) forDelivery(recorder.watch(d));
        for (const auto& write : d.writes) forDelivery(writer.apply(write));
        forDelivery(writer.apply(d.activity, d.id));
        for (const auto& scope : d.incidentScopes) forDelivery(writer.recomputeIncidents(scope));
        // Only at the delivery's first processing (processed_at still NULL: before it is marked),
        // and once per rule whatever happens (the unique key).
        for (const auto& command : d.commands) {
          if (!rebuilding)
            forDelivery(recorder.watch(Resource::Commands, "c.delivery = ?1 AND c.rule = ?2",
                                       {FieldValue(d.id), FieldValue(command.rule)}));
          forDelivery(c.exec(
              "INSERT INTO command_runs (delivery, rule, delivery_guid, forge, repository, event, action, status, "
              "max_attempts, argv, env, workdir, payload_mode, queued_at, ended_at, error) SELECT id, $2, "
              "delivery_id, forge, repository, event, action, CASE WHEN $9::text IS NULL THEN 'queued' ELSE 'failed' "
              "END, $3, $4, $5, $6, $7, $8, CASE WHEN $9::text IS NULL THEN NULL ELSE $8::bigint END, $9 FROM "
              "deliveries WHERE id = $1 AND processed_at IS NULL ON CONFLICT (delivery, rule) DO NOTHING",
              {std::to_string(d.id), command.rule, std::to_string(command.maxAttempts), commandArgvJson(command.argv),
               commandEnvJson(command.env), command.workdir, command.payloadMode, std::to_string(now),
               pgTextOrNull(command.error)}));
        }
        if (!rebuilding) {
          forDelivery(recorder.record(now));
          for (auto& change : recorder.take()) records.push_back(std::move(change));
        }
      } catch (const std::exception& e) {
        // This delivery's records cannot be written (DeliveryRefused; a record the schema refuses,
        // a value not expected); retrying will not help. Undo them, keep the error.
        pgMust(c.exec("ROLLBACK TO SAVEPOINT delivery"));
        pgMust(c.exec("RELEASE delivery"));
        markFailed(d.id, std::nullopt, e.what());
        ++outcome.deadLettered;
        continue;
      }
      pgMust(c.exec("UPDATE deliveries SET status = 'processed', processed_at = $2, process_attempts = "
                  "process_attempts + 1, next_attempt_at = 0, last_error = NULL WHERE id = $1",
                  {std::to_string(d.id), std::to_string(now)}));
      recordDelivery(d.id);
      pgMust(c.exec("RELEASE delivery"));
    }
    for (const auto& f : failed) markFailed(f.id, f.retryAt, f.error);
    // The rebuild's next chunk before the backlog runs dry (a caller waiting for the rebuild
    // watches it), counted up to a low-water mark only. Before the feed's records: those take the
    // change counter's lock, and updating deliveries while holding it could wait on a delivery row
    // intake holds while it waits for the counter.
    bool rebuildFinished = false;
    if (rebuild) {
      const std::int64_t lowWater = std::min<std::int64_t>(1024, std::max<std::int64_t>(1, rebuildChunk_ / 2));
      // Queued ones only: deliveries retrying with a backoff would hold the next chunk back.
      auto left = pgMust(c.exec(
          "SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status = 'queued' AND id <= $1 LIMIT $2) AS due",
          {std::to_string(rebuild->queuedThrough), std::to_string(lowWater)}));
      rebuildFinished = left.integer(0, 0) < lowWater &&
                        queueRebuildChunks(c, rebuild->queuedThrough, rebuild->lastId, rebuildChunk_, now);
    }
    // Each delivery's record as its row is now (one read for the batch), where its place was kept.
    if (!deliverySlots.empty()) {
      std::vector<std::int64_t> slotIds;
      for (const auto& [slot, id] : deliverySlots) slotIds.push_back(id);
      PgQuery where;
      where.add(" AND id = ANY(", pgBigintArray(slotIds));
      where.sql += "::bigint[])";
      auto rows = deliveryRecords(c, where, "updated", std::nullopt, now);
      if (!rows) throw PgStatementFailed{rows.error()};
      std::map<std::string, PendingChange> byId;
      for (auto& r : *rows) byId.emplace(r.entityId, std::move(r));
      for (const auto& [slot, id] : deliverySlots)
        if (auto it = byId.find(std::to_string(id)); it != byId.end()) records[slot] = it->second;
      std::erase_if(records, [](const PendingChange& r) { return r.resource.empty(); });
    }
    mustAppend(c, records);
    // What is processed after the last chunk is queued is recorded again: readers refetch here.
    if (rebuildFinished) pgMust(appendReset(c, "rebuild_finished", now));
    // Claims no work in flight here still needs are given back, so any node may take them at once.
    pgMust(claims_.release(c, releasable(tokens, ids)));
    return {};
  }, PgCommit::Relaxed);
  if (!committed) return std::unexpected(committed.error());
  return outcome;
}

core::Result<std::int64_t> PgProcessingQueue::pruneEventKeys(std::int64_t cutoffMicros, int maxRows) {
  auto pruned = pool_.exec(
      "DELETE FROM event_keys WHERE (forge, key) IN (SELECT forge, key FROM event_keys WHERE at < $1 ORDER BY at "
      "LIMIT $2)",
      {std::to_string(cutoffMicros), std::to_string(maxRows)});
  if (!pruned) return std::unexpected(pruned.error());
  return pruned->affected();
}

core::Result<std::int64_t> PgProcessingQueue::requeue(const DeliveryFilter& asked, std::int64_t now) {
  DeliveryFilter filter = asked;
  filter.withBodyOnly = true;  // a pruned body cannot be processed again
  std::int64_t changed = 0;
  bool pruned = false;
  auto committed = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    std::vector<PendingChange> records;
    changed = queueAgain(c, filter, now, &records);
    if (changed == 0 && filter.id) {
      auto of = pgMust(c.exec("SELECT body_pruned_at IS NOT NULL FROM deliveries WHERE id = $1",
                            {std::to_string(*filter.id)}));
      pruned = of.rows() > 0 && of.text(0, 0) == "t";
    }
    mustAppend(c, records);
    return {};
  });
  if (!committed) return std::unexpected(committed.error());
  if (pruned)
    return std::unexpected(core::Error::conflict(
        "body_pruned", "delivery " + std::to_string(*filter.id) + " cannot be replayed: retention pruned its body"));
  return changed;
}

core::Result<RebuildOutcome> PgProcessingQueue::rebuildProjections(std::int64_t nowMicros) {
  return startRebuild(nowMicros, /*mayEmpty=*/true);
}

core::Result<std::int64_t> PgProcessingQueue::replayAll(std::int64_t nowMicros) {
  auto outcome = startRebuild(nowMicros, /*mayEmpty=*/false);
  if (!outcome) return std::unexpected(outcome.error());
  return outcome->queued;
}

core::Result<RebuildOutcome> PgProcessingQueue::startRebuild(std::int64_t now, bool mayEmpty) {
  RebuildOutcome outcome;
  auto committed = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    // Two nodes asked at once start one rebuild after the other, never interleaved.
    pgMust(c.exec(std::string("SELECT pg_advisory_xact_lock(") + kRebuildLock + ")"));
    auto counts = pgMust(c.exec(
        "SELECT count(*), count(*) FILTER (WHERE body_pruned_at IS NULL), coalesce(max(id), 0) FROM deliveries"));
    outcome.queued = counts.integer(0, 1);
    outcome.pruned = counts.integer(0, 0) - outcome.queued;
    const auto lastId = counts.integer(0, 2);
    const bool emptying = mayEmpty && outcome.pruned == 0;
    // Nothing to empty and nothing to queue (every body pruned): nothing changes, no reader is reset.
    if (!emptying && outcome.queued == 0) return {};
    if (emptying) {
      std::vector<std::string> tables = writableProjectionTables();
      tables.emplace_back("incidents");
      tables.emplace_back("activity");
      for (const auto& table : tables) pgMust(c.exec("DELETE FROM " + table));
      // Every delivery is applied anew, in order: the first of each event's copies claims its key again.
      pgMust(c.exec("DELETE FROM event_keys"));
    }
    // With pruned bodies the claimed keys stay too: a delivery finds its own claim and is applied
    // again. Readers refetch from here (the emptied projections were not recorded deleted) and
    // again when the last chunk is queued (the rows re-created until then are not recorded either).
    // The reset points last, as the change counter's lock is taken last (pg_change_log.h).
    const bool allQueued = queueRebuildChunks(c, 0, lastId, rebuildChunk_, now);
    pgMust(appendReset(c, "rebuild_started", now));
    if (allQueued) pgMust(appendReset(c, "rebuild_finished", now));
    return {};
  });
  if (!committed) return std::unexpected(committed.error());
  return outcome;
}

}  // namespace forgehook::store::postgres
