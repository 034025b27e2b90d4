#include "store/sqlite/delivery_log.h"

#include <algorithm>

#include "store/body_codec.h"
#include "store/sqlite/bound_sql.h"

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

}  // namespace

SqliteDeliveryLog::SqliteDeliveryLog(Database& db, ChangeRecorder& changes)
    : db_(db),
      changes_(changes),
      insert_(db.writeConnection(),
              "INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, received_at, "
              "last_attempt_at, body_size, content_type, verification, source) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12) "
              "ON CONFLICT (forge, hook_id, delivery_id) DO UPDATE SET attempts = attempts + 1, "
              "last_attempt_at = excluded.received_at RETURNING id, attempts"),
      insertBody_(db.writeConnection(),
                  "INSERT INTO delivery_bodies (delivery, headers, body_encoding, body) VALUES (?1, ?2, ?3, ?4)"),
      hook_(db.writeConnection(),
            "INSERT INTO hooks (forge, hook_id, first_seen_at, last_ping_at) VALUES (?1, ?2, ?3, ?3) "
            "ON CONFLICT (forge, hook_id) DO UPDATE SET last_ping_at = excluded.last_ping_at, pings = pings + 1") {}

core::Result<std::vector<AppendOutcome>> SqliteDeliveryLog::appendBatch(std::span<const NewDelivery> batch) {
  std::vector<AppendOutcome> outcomes;
  outcomes.reserve(batch.size());
  auto committed = db_.write([&](sqlite3*) -> core::Result<void> {
    for (const auto& d : batch) {
      insert_.bind(1, d.forge).bind(2, d.hookId).bind(3, d.deliveryId).bind(4, d.event).bind(5, d.action);
      insert_.bind(6, d.repository).bind(7, d.sender).bind(8, d.receivedAt).bind(9, d.bodySize);
      insert_.bind(10, d.contentType).bind(11, d.verification).bind(12, d.source);
      must(insert_.step(), SQLITE_ROW);
      const auto id = insert_.integer(0);
      const auto attempts = insert_.integer(1);
      must(insert_.run());  // finish RETURNING
      outcomes.push_back({attempts == 1 ? AppendStatus::Inserted : AppendStatus::Duplicate, id});
      if (attempts == 1) {
        must(insertBody_.bind(1, id).bind(2, d.headersJson).bind(3, d.bodyEncoding).bindBlob(4, d.body).run());
        must(changes_.recordNewDelivery(id, d));
      }
      if (d.isPing && !d.hookId.empty()) must(hook_.bind(1, d.forge).bind(2, d.hookId).bind(3, d.receivedAt).run());
    }
    return {};
  });
  if (!committed) return std::unexpected(committed.error());
  return outcomes;
}

core::Result<DeliveryPage> SqliteDeliveryLog::listDeliveries(const DeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 500"));
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
  // Each id once: a repeated one could otherwise fall in two chunks and be reported twice.
  std::vector<std::string_view> asked(deliveryIds.begin(), deliveryIds.end());
  std::sort(asked.begin(), asked.end());
  asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
  return db_.read<std::vector<std::string>>([&](sqlite3* db) -> core::Result<std::vector<std::string>> {
    std::vector<std::string> stored;
    for (std::size_t start = 0; start < asked.size(); start += kIdsPerQuery) {
      const auto chunk = std::span(asked).subspan(start, std::min(kIdsPerQuery, asked.size() - start));
      // (forge, hook_id, delivery_id IN ...) is a set of point lookups in deliveries_identity;
      // without a hook id, in deliveries_delivery_id.
      std::string sql = hookId.empty()
                            ? "SELECT delivery_id FROM deliveries WHERE forge = ?1 AND ?2 = '' AND delivery_id IN ("
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
  return db_.read<DeliveryDetail>([&](sqlite3* db) -> core::Result<DeliveryDetail> {
    Statement s(db, std::string("SELECT ") + kSummaryColumns +
                        ", b.headers, b.body_encoding, b.body FROM deliveries JOIN delivery_bodies b ON b.delivery = id "
                        "WHERE id = ?1");
    s.bind(1, id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return std::unexpected(core::Error::notFound("no delivery with id " + std::to_string(id)));
    if (rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    DeliveryDetail d;
    readSummary(s, d);
    d.headersJson = s.text(17);
    if (d.bodyPrunedAt) return d;
    auto body = decodeBody(s.blob(19), s.text(18));
    if (!body) return std::unexpected(body.error());
    d.rawBody = std::move(*body);
    return d;
  });
}

}  // namespace forgehook::store::sqlite
