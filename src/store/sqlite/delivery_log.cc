#include "store/sqlite/delivery_log.h"

#include <algorithm>
#include <stdexcept>

#include "store/body_codec.h"
#include "store/sqlite/bound_sql.h"
#include "store/sqlite/delivery_insert.h"

namespace forgehook::store::sqlite {
namespace {

constexpr const char* kSummaryColumns =
    "id, forge, delivery_id, hook_id, event, action, repository, sender, content_type, verification, status, "
    "received_at, last_attempt_at, attempts, body_size, source, body_pruned_at";

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
  d.source = s.text(15);
  if (!s.isNull(16)) d.bodyPrunedAt = s.integer(16);
}

// Ids per lookup: well under SQLite's default limit of 32766 bound parameters, and a statement
// text that stays small.
constexpr std::size_t kIdsPerQuery = 500;

// Past this many acknowledged, unindexed deliveries appendDurable() indexes them before taking
// more, and refuses more while it cannot: what a failing index may hold in memory stays bounded.
constexpr std::size_t kMaxUnindexed = 8192;

// The dedupe identity, (forge, hook id, delivery id), as one map key: each field after its length,
// so that no two identities make the same key whatever bytes they hold.
std::string identityKey(const NewDelivery& d) {
  std::string key;
  for (const auto* field : {&d.forge, &d.hookId, &d.deliveryId}) {
    key += std::to_string(field->size());
    key += ':';
    key += *field;
  }
  return key;
}

}  // namespace

SqliteDeliveryLog::SqliteDeliveryLog(Database& db, ChangeRecorder& changes)
    : db_(db),
      changes_(changes),
      insert_(db.writeConnection(), kInsertDeliverySql),
      hook_(db.writeConnection(),
            "INSERT INTO hooks (forge, hook_id, first_seen_at, last_ping_at) VALUES (?1, ?2, ?3, ?3) "
            "ON CONFLICT (forge, hook_id) DO UPDATE SET last_ping_at = excluded.last_ping_at, pings = pings + 1"),
      liveBodies_(db.writeConnection(),
                  "INSERT INTO body_segments (segment, live) VALUES (?1, ?2) "
                  "ON CONFLICT (segment) DO UPDATE SET live = live + excluded.live"),
      journalEnd_(db.writeConnection(), "UPDATE journal_state SET end_segment = ?1, end_offset = ?2 WHERE id = 1") {
  recover();
  auto next = db_.read<std::int64_t>([](sqlite3* db) -> core::Result<std::int64_t> {
    Statement s(db, "SELECT coalesce(max(id), 0) + 1 FROM deliveries");
    if (const int rc = s.step(); rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    return s.integer(0);
  });
  if (!next) throw std::runtime_error("cannot read the delivery log's newest id: " + next.error().message);
  nextId_ = *next;
}

void SqliteDeliveryLog::recover() {
  std::vector<Pending> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    auto done = db_.write([&](sqlite3*) { return index(batch); }, Database::Sync::Relaxed);
    if (!done) throw std::runtime_error("cannot index the body journal's records: " + done.error().message);
    batch.clear();
  };
  db_.journal().recover(db_.journalIndexedUpTo(), [&](NewDelivery&& d, JournalLocation where) {
    batch.push_back({std::move(d), where, 0});
    if (batch.size() >= 500) flush();
  });
  flush();
}

core::Result<void> SqliteDeliveryLog::index(std::span<const Pending> pending) {
  // Rows keeping a body, per segment: one counter update per segment instead of one per delivery.
  std::vector<std::pair<std::int64_t, std::int64_t>> live;
  for (const auto& [d, at, id] : pending) {
    bindDelivery(insert_, d, at, id);
    must(insert_.step(), SQLITE_ROW);
    const auto rowId = insert_.integer(0);
    const auto attempts = insert_.integer(1);
    must(insert_.run());  // finish RETURNING
    if (attempts == 1) {
      if (live.empty() || live.back().first != at.segment) live.emplace_back(at.segment, 0);
      ++live.back().second;
      must(changes_.recordNewDelivery(rowId, d));
    }
    if (d.isPing && !d.hookId.empty()) must(hook_.bind(1, d.forge).bind(2, d.hookId).bind(3, d.receivedAt).run());
  }
  for (const auto& [segment, rows] : live) must(liveBodies_.bind(1, segment).bind(2, rows).run());
  // The index now ends where the last record does (a segment rolls before a record is written).
  const auto& last = pending.back().at;
  must(journalEnd_.bind(1, last.segment).bind(2, last.offset + last.length).run());
  return {};
}

core::Result<std::vector<AppendOutcome>> SqliteDeliveryLog::appendBatch(std::span<const NewDelivery> batch) {
  std::vector<NewDelivery> owned(batch.begin(), batch.end());  // appendDurable takes the rows it keeps
  std::lock_guard lock(appendMutex_);
  auto outcomes = appendDurableLocked(owned);
  // Stored either way: should indexing fail, the rows stay pending as after appendDurable().
  if (outcomes) (void)indexPendingLocked();
  return outcomes;
}

core::Result<std::vector<AppendOutcome>> SqliteDeliveryLog::appendDurable(std::span<NewDelivery> batch) {
  std::lock_guard lock(appendMutex_);
  return appendDurableLocked(batch);
}

core::Result<std::vector<AppendOutcome>> SqliteDeliveryLog::appendDurableLocked(std::span<NewDelivery> batch) {
  if (pending_.size() >= kMaxUnindexed) {
    if (auto indexed = indexPendingLocked(); !indexed) return std::unexpected(indexed.error());
  }
  // Outcomes first: the journal holds a record only once its id is known, and a failed append
  // leaves nextId_ and the identities as they were.
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  for (const auto& d : batch) keys.push_back(identityKey(d));
  auto outcomes = outcomesFor(batch, keys);
  if (!outcomes) return outcomes;
  auto at = db_.journal().append(batch);
  if (!at) return std::unexpected(at.error());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& outcome = (*outcomes)[i];
    const bool inserted = outcome.status == AppendStatus::Inserted;
    if (inserted) {
      unindexedIds_.emplace(std::move(keys[i]), outcome.id);
      nextId_ = outcome.id + 1;
    }
    // Kept for indexing without the headers and body: the journal holds them.
    auto& kept = pending_.emplace_back(Pending{std::move(batch[i]), (*at)[i], inserted ? outcome.id : 0});
    kept.row.body = {};
    kept.row.headersJson = {};
  }
  pendingCount_ = pending_.size();
  return outcomes;
}

core::Result<std::vector<AppendOutcome>> SqliteDeliveryLog::outcomesFor(std::span<const NewDelivery> batch,
                                                                        const std::vector<std::string>& keys) {
  std::vector<AppendOutcome> outcomes(batch.size());
  std::unordered_map<std::string_view, std::size_t> firstInBatch;  // identity -> index of its first delivery
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (index, index of the first) in the batch
  std::vector<std::size_t> toLookUp;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& key = keys[i];
    if (auto it = unindexedIds_.find(key); it != unindexedIds_.end()) {
      outcomes[i] = {AppendStatus::Duplicate, it->second};
    } else if (auto first = firstInBatch.find(key); first != firstInBatch.end()) {
      repeats.emplace_back(i, first->second);
    } else {
      firstInBatch.emplace(key, i);
      toLookUp.push_back(i);
    }
  }
  if (!toLookUp.empty()) {
    // Everything indexed is committed (indexing runs under appendMutex_ too), so a read connection
    // sees it. One read transaction for the batch's point lookups in deliveries_identity.
    auto stored = db_.read<std::vector<std::int64_t>>([&](sqlite3* db) -> core::Result<std::vector<std::int64_t>> {
      Statement s(db, "SELECT id FROM deliveries WHERE delivery_id = ?1 AND forge = ?2 AND hook_id = ?3");
      std::vector<std::int64_t> ids;
      ids.reserve(toLookUp.size());
      for (const auto i : toLookUp) {
        s.bind(1, batch[i].deliveryId).bind(2, batch[i].forge).bind(3, batch[i].hookId);
        const int rc = s.step();
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(storeError(rc));
        ids.push_back(rc == SQLITE_ROW ? s.integer(0) : 0);
        s.reset();
      }
      return ids;
    });
    if (!stored) return std::unexpected(stored.error());
    std::int64_t next = nextId_;
    for (std::size_t k = 0; k < toLookUp.size(); ++k) {
      const auto id = (*stored)[k];
      outcomes[toLookUp[k]] = id > 0 ? AppendOutcome{AppendStatus::Duplicate, id} : AppendOutcome{AppendStatus::Inserted, next++};
    }
  }
  for (const auto& [i, first] : repeats) outcomes[i] = {AppendStatus::Duplicate, outcomes[first].id};
  return outcomes;
}

core::Result<void> SqliteDeliveryLog::indexPending() {
  if (pendingCount_.load() == 0) return {};  // nothing to wait for the append lock for
  std::lock_guard lock(appendMutex_);
  return indexPendingLocked();
}

core::Result<void> SqliteDeliveryLog::indexPendingLocked() {
  if (pending_.empty()) return {};
  // Relaxed: the journal made these durable; a power cut that takes this commit leaves the
  // records past journal_state's end, and recover() indexes them again at start. A failure leaves
  // them pending for the next call.
  auto committed = db_.write([&](sqlite3*) { return index(pending_); }, Database::Sync::Relaxed);
  if (!committed) return std::unexpected(committed.error());
  pending_.clear();
  pendingCount_ = 0;
  unindexedIds_.clear();
  return {};
}

core::Result<DeliveryPage> SqliteDeliveryLog::listDeliveries(const DeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 500"));
  // Every acknowledged delivery listed; should indexing fail, what is indexed still is.
  (void)indexPending();
  BoundSql query{std::string("SELECT ") + kSummaryColumns + " FROM deliveries WHERE 1=1", {}};
  addDeliveryFilter(query, filter);
  if (filter.beforeId) query.add(" AND id < ", *filter.beforeId);
  query.sql += " ORDER BY id DESC LIMIT " + std::to_string(filter.limit + 1);
  return db_.read<DeliveryPage>([&](sqlite3* db) -> core::Result<DeliveryPage> {
    Statement s(db, query.sql);
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
  });
}

core::Result<std::vector<std::string>> SqliteDeliveryLog::storedDeliveryIds(const std::string& forge,
                                                                            const std::string& hookId,
                                                                            std::span<const std::string> deliveryIds) {
  (void)indexPending();  // an acknowledged delivery is stored, indexed or not
  // Each id once: a repeated one could otherwise fall in two chunks and be reported twice.
  std::vector<std::string_view> asked(deliveryIds.begin(), deliveryIds.end());
  std::sort(asked.begin(), asked.end());
  asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
  return db_.read<std::vector<std::string>>([&](sqlite3* db) -> core::Result<std::vector<std::string>> {
    std::vector<std::string> stored;
    for (std::size_t start = 0; start < asked.size(); start += kIdsPerQuery) {
      const auto chunk = std::span(asked).subspan(start, std::min(kIdsPerQuery, asked.size() - start));
      // (delivery_id IN ..., forge, hook_id) is a set of point lookups in deliveries_identity,
      // which leads with delivery_id, with a hook id or without.
      std::string sql =
          hookId.empty() ? "SELECT delivery_id FROM deliveries WHERE forge = ?1 AND ?2 = '' AND delivery_id IN ("
                         : "SELECT delivery_id FROM deliveries WHERE forge = ?1 AND hook_id = ?2 AND delivery_id IN (";
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        if (i > 0) sql += ", ";
        sql += '?';
        sql += std::to_string(i + 3);
      }
      sql += ')';
      Statement s(db, sql);
      s.bind(1, forge).bind(2, hookId);
      for (std::size_t i = 0; i < chunk.size(); ++i) s.bind(static_cast<int>(i + 3), chunk[i]);
      int rc;
      while ((rc = s.step()) == SQLITE_ROW) stored.push_back(s.text(0));
      if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    }
    return stored;
  });
}

core::Result<DeliveryDetail> SqliteDeliveryLog::getDelivery(std::int64_t id) {
  auto found = readDelivery(id);
  // The id an acknowledgement named may not be indexed yet: index what is pending and look again.
  if (!found && found.error().code == core::Code::NotFound && pendingCount_.load() > 0) {
    (void)indexPending();
    found = readDelivery(id);
  }
  return found;
}

core::Result<DeliveryDetail> SqliteDeliveryLog::readDelivery(std::int64_t id) {
  return db_.read<DeliveryDetail>([&](sqlite3* db) -> core::Result<DeliveryDetail> {
    Statement s(db, std::string("SELECT ") + kSummaryColumns +
                        ", b.headers, b.body_encoding, b.body, body_segment, body_offset, body_length FROM deliveries "
                        "LEFT JOIN delivery_bodies b ON b.delivery = id WHERE id = ?1");
    s.bind(1, id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return std::unexpected(core::Error::notFound("no delivery with id " + std::to_string(id)));
    if (rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    DeliveryDetail d;
    readSummary(s, d);
    if (!s.isNull(20)) {
      auto stored = db_.journal().read({s.integer(20), s.integer(21), s.integer(22)});
      if (!stored) return std::unexpected(stored.error());
      if (stored->deliveryId != d.deliveryId)
        return std::unexpected(core::Error::internal("the body journal holds another delivery where delivery " +
                                                     std::to_string(id) + "'s body should be"));
      d.headersJson = std::move(stored->headersJson);
      auto body = decodeBody(stored->body, stored->bodyEncoding);
      if (!body) return std::unexpected(body.error());
      d.rawBody = std::move(*body);
      return d;
    }
    d.headersJson = s.text(17);
    if (d.bodyPrunedAt) return d;
    auto body = decodeBody(s.blob(19), s.text(18));
    if (!body) return std::unexpected(body.error());
    d.rawBody = std::move(*body);
    return d;
  });
}

}  // namespace forgehook::store::sqlite
