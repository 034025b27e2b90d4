#include "store/postgres/pg_delivery_log.h"

#include <algorithm>

#include "store/body_codec.h"
#include "store/delivery_summary_json.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_delivery_sql.h"
#include "store/postgres/pg_text.h"
#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {
namespace {

constexpr const char* kSummaryColumns =
    "id, forge, delivery_id, hook_id, event, action, repository, sender, content_type, verification, status, "
    "received_at, last_attempt_at, attempts, body_size, source, body_pruned_at";

void readSummary(const PgResult& r, int row, DeliverySummary& d) {
  d.id = r.integer(row, 0);
  d.forge = r.text(row, 1);
  d.deliveryId = r.text(row, 2);
  d.hookId = r.text(row, 3);
  d.event = r.text(row, 4);
  d.action = r.text(row, 5);
  d.repository = r.text(row, 6);
  d.sender = r.text(row, 7);
  d.contentType = r.text(row, 8);
  d.verification = r.text(row, 9);
  d.status = r.text(row, 10);
  d.receivedAt = r.integer(row, 11);
  d.lastAttemptAt = r.integer(row, 12);
  d.attempts = r.integer(row, 13);
  d.bodySize = r.integer(row, 14);
  d.source = r.text(row, 15);
  if (!r.isNull(row, 16)) d.bodyPrunedAt = r.integer(row, 16);
}

// Ids per lookup, as in the SQLite store: one array parameter of bounded size.
constexpr std::size_t kIdsPerQuery = 500;

// What a sender is told when the batch did not commit: retry later (503), the delivery was not
// stored. A full disk (SQLSTATE 53100) is store_full, as in the SQLite store.
core::Error notCommitted(const PgConnection& conn, const core::Error& cause) {
  if (conn.sqlState() == "53100")
    return core::Error::unavailable("store_full", "store cannot commit: the database server's disk is full", 30);
  return core::Error::unavailable("store_unavailable", "store cannot commit: " + cause.message, 1);
}

}  // namespace

core::Result<std::vector<AppendOutcome>> PgDeliveryLog::appendBatch(std::span<const NewDelivery> batch) {
  auto conn = pool_.lease();
  if (!conn) return std::unexpected(core::Error::unavailable("store_unavailable", conn.error().message, 1));
  auto& c = **conn;
  const auto failed = [&](const core::Error& e) -> core::Result<std::vector<AppendOutcome>> {
    auto error = notCommitted(c, e);
    if (c.usable() && c.inTransaction()) (void)c.exec("ROLLBACK");
    return std::unexpected(std::move(error));
  };
  if (auto begun = c.exec("BEGIN"); !begun) return failed(begun.error());
  std::vector<AppendOutcome> outcomes;
  outcomes.reserve(batch.size());
  std::vector<PendingChange> created;  // the feed's record of each new delivery
  std::vector<std::int64_t> createdIds;
  for (const auto& d : batch) {
    // Text from the payload may hold a NUL (JSON's \u0000), at which libpq would end the parameter,
    // and a header's bytes need not be UTF-8: storable text (pg_text.h), the same for every node, in
    // the row and its feed record alike. The identity headers are plain text already (ingest
    // refuses others), and forge, verification and source are forgehook's own words.
    const std::string action = storableText(d.action), repository = storableText(d.repository),
                      sender = storableText(d.sender), contentType = storableText(d.contentType);
    // A repeat of a stored delivery (or of one earlier in this batch) counts as another attempt.
    // Looked for first: an INSERT takes an id from the sequence even when it conflicts, and ids
    // would then skip a number at every redelivery (SQLite's do not). ON CONFLICT still settles
    // two nodes inserting the same new delivery at once.
    auto row = c.exec(
        "WITH repeat AS (UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = $8::bigint WHERE "
        "delivery_id = $3::text AND forge = $1::text AND hook_id = $2::text RETURNING id, attempts), "
        "fresh AS (INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, received_at, "
        "last_attempt_at, body_size, content_type, verification, source) "
        "SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $8::bigint, "
        "$9::bigint, $10::text, $11::text, $12::text WHERE NOT EXISTS (SELECT 1 FROM repeat) "
        "ON CONFLICT ON CONSTRAINT deliveries_identity DO UPDATE SET attempts = deliveries.attempts + 1, "
        "last_attempt_at = excluded.received_at RETURNING id, attempts) "
        "SELECT id, attempts FROM repeat UNION ALL SELECT id, attempts FROM fresh",
        {d.forge, d.hookId, d.deliveryId, d.event, action, repository, sender, std::to_string(d.receivedAt),
         std::to_string(d.bodySize), contentType, d.verification, d.source});
    if (!row) return failed(row.error());
    const auto id = row->integer(0, 0);
    const bool inserted = row->integer(0, 1) == 1;
    outcomes.push_back({inserted ? AppendStatus::Inserted : AppendStatus::Duplicate, id});
    if (inserted) {
      auto body = c.exec("INSERT INTO delivery_bodies (delivery, headers, body_encoding, body) VALUES ($1, $2, $3, $4)",
                         {std::to_string(id), d.headersJson, d.bodyEncoding, PgParam::bytes(d.body)});
      if (!body) return failed(body.error());
      // The row as just written: first attempt, queued, its body kept.
      createdIds.push_back(id);
      created.push_back({d.receivedAt, "deliveries", "created", std::to_string(id), d.forge, repository,
                         deliverySummaryJson({id, d.forge, d.deliveryId, d.hookId, d.event, action, repository,
                                              sender, d.receivedAt, d.receivedAt, 1, d.bodySize, contentType,
                                              d.verification, d.source, false, "queued"})});
    }
    if (d.isPing && !d.hookId.empty()) {
      auto hook = c.exec(
          "INSERT INTO hooks (forge, hook_id, first_seen_at, last_ping_at) VALUES ($1, $2, $3, $3) "
          "ON CONFLICT (forge, hook_id) DO UPDATE SET last_ping_at = excluded.last_ping_at, pings = hooks.pings + 1",
          {d.forge, d.hookId, std::to_string(d.receivedAt)});
      if (!hook) return failed(hook.error());
    }
  }
  auto firstSeq = appendChanges(c, created);
  if (!firstSeq) return failed(firstSeq.error());
  // The processing order: each new delivery's created record's seq, handed out under the change
  // counter's lock, so in commit order across nodes. Ids come from a sequence and may commit out
  // of order: a delivery with a lower id could become visible after one with a higher id was
  // processed.
  if (!createdIds.empty()) {
    std::vector<std::int64_t> seqs;
    for (std::size_t i = 0; i < createdIds.size(); ++i) seqs.push_back(*firstSeq + static_cast<std::int64_t>(i));
    auto numbered = c.exec(
        "UPDATE deliveries d SET queue_seq = v.seq FROM unnest($1::bigint[], $2::bigint[]) AS v(id, seq) WHERE d.id = "
        "v.id",
        {pgBigintArray(createdIds), pgBigintArray(seqs)});
    if (!numbered) return failed(numbered.error());
  }
  if (auto committed = c.exec("COMMIT"); !committed) return failed(committed.error());
  return outcomes;
}

core::Result<DeliveryPage> PgDeliveryLog::listDeliveries(const DeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 500"));
  PgQuery q{std::string("SELECT ") + kSummaryColumns + " FROM deliveries WHERE true", {}};
  addDeliveryFilter(q, filter);
  if (filter.beforeId) q.add(" AND id < ", std::to_string(*filter.beforeId));
  q.sql += " ORDER BY id DESC LIMIT " + std::to_string(filter.limit + 1);
  auto rows = pool_.exec(q.sql, q.params);
  if (!rows) return std::unexpected(rows.error());
  DeliveryPage page;
  for (int i = 0; i < rows->rows(); ++i) {
    if (static_cast<int>(page.deliveries.size()) == filter.limit) {
      page.nextCursor = page.deliveries.back().id;
      break;
    }
    readSummary(*rows, i, page.deliveries.emplace_back());
  }
  return page;
}

core::Result<DeliveryDetail> PgDeliveryLog::getDelivery(std::int64_t id) {
  auto rows = pool_.exec(std::string("SELECT ") + kSummaryColumns +
                                ", b.headers, b.body_encoding, b.body FROM deliveries "
                                "LEFT JOIN delivery_bodies b ON b.delivery = id WHERE id = $1",
                            {std::to_string(id)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::unexpected(core::Error::notFound("no delivery with id " + std::to_string(id)));
  DeliveryDetail d;
  readSummary(*rows, 0, d);
  if (!rows->isNull(0, 17)) d.headersJson = rows->text(0, 17);
  if (d.bodyPrunedAt || rows->isNull(0, 19)) return d;
  auto body = decodeBody(rows->bytes(0, 19), rows->text(0, 18));
  if (!body) return std::unexpected(body.error());
  d.rawBody = std::move(*body);
  return d;
}

core::Result<std::vector<std::string>> PgDeliveryLog::storedDeliveryIds(const std::string& forge,
                                                                       const std::string& hookId,
                                                                       std::span<const std::string> deliveryIds) {
  std::vector<std::string_view> asked(deliveryIds.begin(), deliveryIds.end());
  std::sort(asked.begin(), asked.end());
  asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
  auto conn = pool_.lease();
  if (!conn) return std::unexpected(conn.error());
  std::vector<std::string> stored;
  for (std::size_t start = 0; start < asked.size(); start += kIdsPerQuery) {
    const auto chunk = std::span(asked).subspan(start, std::min(kIdsPerQuery, asked.size() - start));
    // delivery_id = ANY(...) leads deliveries_identity; an empty hook id matches every hook.
    auto rows = (*conn)->exec(
        "SELECT DISTINCT delivery_id FROM deliveries WHERE delivery_id = ANY($1::text[]) AND forge = $2 "
        "AND ($3 = '' OR hook_id = $3)",
        {pgTextArray(chunk), forge, hookId});
    if (!rows) return std::unexpected(rows.error());
    for (int i = 0; i < rows->rows(); ++i) stored.push_back(rows->text(i, 0));
  }
  return stored;
}

core::Result<void> PgDeliveryLog::checkWritable() {
  // A standby (or a database set read-only) accepts the connection but no commit.
  auto readOnly = pool_.exec("SHOW transaction_read_only");
  if (!readOnly) return std::unexpected(core::Error::unavailable("store_unavailable", readOnly.error().message, 1));
  if (readOnly->text(0, 0) == "on")
    return std::unexpected(
        core::Error::unavailable("store_unavailable", "store cannot commit: the PostgreSQL server is read-only", 5));
  return {};
}

}  // namespace forgehook::store::postgres
