#include "store/sqlite/change_recorder.h"

#include <algorithm>

#include "store/change_targets.h"
#include "store/delivery_summary_json.h"
#include "store/sqlite/bound_sql.h"
#include "store/sqlite/resource_sql.h"

namespace forgehook::store::sqlite {
namespace {

// The columns of a delivery's summary, in the order Summary reads them.
constexpr const char* kSummaryColumns =
    "d.id, d.forge, d.delivery_id, d.hook_id, d.event, d.action, d.repository, d.sender, d.received_at, "
    "d.last_attempt_at, d.attempts, d.body_size, d.content_type, d.verification, d.source, d.body_pruned_at IS NOT "
    "NULL, d.status";

// A row of kSummaryColumns, its texts copied out of the statement.
struct Summary {
  explicit Summary(const Statement& s)
      : id(s.integer(0)),
        forge(s.text(1)),
        deliveryId(s.text(2)),
        hookId(s.text(3)),
        event(s.text(4)),
        action(s.text(5)),
        repository(s.text(6)),
        sender(s.text(7)),
        receivedAt(s.integer(8)),
        lastAttemptAt(s.integer(9)),
        attempts(s.integer(10)),
        bodySize(s.integer(11)),
        contentType(s.text(12)),
        verification(s.text(13)),
        source(s.text(14)),
        bodyPruned(s.integer(15) != 0),
        status(s.text(16)) {}
  std::string json(std::string_view statusShown) const {
    return deliverySummaryJson({id, forge, deliveryId, hookId, event, action, repository, sender, receivedAt, lastAttemptAt,
                        attempts, bodySize, contentType, verification, source, bodyPruned, statusShown});
  }
  std::int64_t id;
  std::string forge, deliveryId, hookId, event, action, repository, sender;
  std::int64_t receivedAt, lastAttemptAt, attempts, bodySize;
  std::string contentType, verification, source;
  bool bodyPruned;
  std::string status;
};

}  // namespace

ChangeRecorder::ChangeRecorder(sqlite3* writeDb)
    : db_(writeDb),
      insert_(writeDb,
              "INSERT INTO changes (at, resource, action, entity_id, forge, repository, data) VALUES (?1, ?2, ?3, ?4, "
              "?5, ?6, ?7)"),
      delivery_(writeDb, std::string("SELECT ") + kSummaryColumns + " FROM deliveries d WHERE d.id = ?1"),
      dropRecord_(writeDb, "DELETE FROM changes WHERE seq = ?1"),
      insertReset_(writeDb, "INSERT INTO change_resets (seq, at, reason) VALUES (?1, ?2, ?3)") {}

void ChangeRecorder::watch(Resource resource, std::string where, std::vector<FieldValue> params) {
  if (muted_) return;
  for (const auto& w : watched_)
    if (w.resource == resource && w.where == where && w.params == params) return;
  Watched w{resource, std::move(where), std::move(params), {}};
  if (const int rc = read(w, w.before); rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errstr(rc));
  watched_.push_back(std::move(w));
}

void ChangeRecorder::watch(const ProcessedDelivery& d) {
  if (muted_) return;
  for (auto& target : changeTargets(d)) watch(target.resource, std::move(target.where), std::move(target.params));
}

int ChangeRecorder::read(const Watched& w, std::map<std::int64_t, Row>& out) {
  auto& slot = reads_[{w.resource, w.where}];
  if (!slot) {
    const auto& sql = resourceSql(w.resource);
    slot = std::make_unique<Statement>(db_, "SELECT " + sql.rowId + ", " + sql.forge + ", " + sql.repository + ", " +
                                                sql.object + sql.from + " AND (" + w.where + ")");
  }
  auto& s = *slot;
  BoundSql{"", w.params}.bindTo(s);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out[s.integer(0)] = {s.text(1), s.text(2), s.text(3)};
  s.reset();
  return rc;
}

int ChangeRecorder::record(std::int64_t now) {
  auto append = [&](const Watched& w, std::int64_t id, const Row& row, const char* action) {
    insert_.bind(1, now).bind(2, specOf(w.resource).name).bind(3, action).bind(4, std::to_string(id));
    insert_.bind(5, row.forge);
    if (row.repository.empty())
      insert_.bindNull(6);
    else
      insert_.bind(6, row.repository);
    insert_.bind(7, row.json);
    return insert_.run();
  };
  int rc = SQLITE_DONE;
  for (const auto& w : watched_) {
    std::map<std::int64_t, Row> after;
    if ((rc = read(w, after)) != SQLITE_DONE) break;
    for (const auto& [id, row] : after) {
      const auto old = w.before.find(id);
      if (old == w.before.end())
        rc = append(w, id, row, "created");
      else if (old->second.json != row.json)
        rc = append(w, id, row, "updated");
      if (rc != SQLITE_DONE) break;
    }
    for (const auto& [id, row] : w.before)
      if (rc == SQLITE_DONE && !after.contains(id)) rc = append(w, id, row, "deleted");
    if (rc != SQLITE_DONE) break;
  }
  watched_.clear();
  return rc;
}

int ChangeRecorder::recordReset(const char* reason, std::int64_t now) {
  // AUTOINCREMENT hands out the seq (and keeps it handed out once the row is gone), so a reset
  // point is ordered with the records and never shares a seq with one.
  insert_.bind(1, now).bind(2, "").bind(3, "reset").bind(4, reason).bindNull(5).bindNull(6).bind(7, "{}");
  if (const int rc = insert_.run(); rc != SQLITE_DONE) return rc;
  const auto seq = sqlite3_last_insert_rowid(db_);
  if (const int rc = dropRecord_.bind(1, seq).run(); rc != SQLITE_DONE) return rc;
  return insertReset_.bind(1, seq).bind(2, now).bind(3, reason).run();
}

int ChangeRecorder::recordCreated(Resource resource, std::int64_t rowId, std::int64_t now) {
  forget();
  if (muted_) return SQLITE_DONE;
  // Nothing was there before, so record() finds the row new.
  watched_.push_back({resource, resourceSql(resource).rowId + " = ?1", {rowId}, {}});
  return record(now);
}

int ChangeRecorder::insertDelivery(std::int64_t at, const char* action, std::int64_t id, const std::string& forge,
                                   const std::string& repository, const std::string& json) {
  insert_.bind(1, at).bind(2, "deliveries").bind(3, action).bind(4, std::to_string(id)).bind(5, forge);
  if (repository.empty())
    insert_.bindNull(6);
  else
    insert_.bind(6, repository);
  insert_.bind(7, json);
  return insert_.run();
}

int ChangeRecorder::recordRequeued(const DeliveryFilter& filter, std::int64_t now) {
  if (muted_) return SQLITE_DONE;
  BoundSql select{std::string("SELECT ") + kSummaryColumns + " FROM deliveries d WHERE d.status != 'queued'", {}};
  addDeliveryFilter(select, filter);
  Statement s(db_, select.sql);
  select.bindTo(s);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    const Summary d(s);
    if (const int inserted = insertDelivery(now, "updated", d.id, d.forge, d.repository, d.json("queued"));
        inserted != SQLITE_DONE)
      return inserted;
  }
  return rc;
}

int ChangeRecorder::recordDelivery(std::int64_t deliveryId, const char* action, std::int64_t now) {
  if (muted_) return SQLITE_DONE;
  int rc = delivery_.bind(1, deliveryId).step();
  if (rc == SQLITE_ROW) {
    const Summary d(delivery_);
    delivery_.reset();
    return insertDelivery(now, action, d.id, d.forge, d.repository, d.json(d.status));
  }
  delivery_.reset();
  return rc;  // SQLITE_DONE: no such delivery, nothing to record (as the INSERT ... SELECT did)
}

int ChangeRecorder::recordNewDelivery(std::int64_t deliveryId, const NewDelivery& d) {
  // The row as appendBatch() just wrote it: first attempt, queued, its body kept.
  return insertDelivery(d.receivedAt, "created", deliveryId, d.forge, d.repository,
                        deliverySummaryJson({deliveryId, d.forge, d.deliveryId, d.hookId, d.event, d.action, d.repository,
                                     d.sender, d.receivedAt, d.receivedAt, 1, static_cast<std::int64_t>(d.bodySize),
                                     d.contentType, d.verification, d.source, false, "queued"}));
}

}  // namespace forgehook::store::sqlite
