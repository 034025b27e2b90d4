#include "store/postgres/pg_delivery_sql.h"

#include "store/delivery_summary_json.h"

namespace forgehook::store::postgres {

void PgQuery::add(std::string_view clause, std::string value) {
  params.emplace_back(std::move(value));
  sql += clause;
  sql += '$';
  sql += std::to_string(params.size());
}

void addDeliveryFilter(PgQuery& q, const DeliveryFilter& f) {
  if (f.forge) q.add(" AND forge = ", *f.forge);
  if (f.event) q.add(" AND event = ", *f.event);
  if (f.repository) {  // as the forges compare names: case-insensitively (index deliveries_repository)
    q.add(" AND lower(repository) = lower(", *f.repository);
    q.sql += ')';
  }
  if (f.status) q.add(" AND status = ", *f.status);
  if (f.sinceMicros) q.add(" AND received_at >= ", std::to_string(*f.sinceMicros));
  if (f.untilMicros) q.add(" AND received_at < ", std::to_string(*f.untilMicros));
  if (f.id) q.add(" AND id = ", std::to_string(*f.id));
  if (f.idAbove) q.add(" AND id > ", std::to_string(*f.idAbove));
  if (f.idAtMost) q.add(" AND id <= ", std::to_string(*f.idAtMost));
  if (f.deliveryId) q.add(" AND delivery_id = ", *f.deliveryId);
  if (f.withBodyOnly) q.sql += " AND body_pruned_at IS NULL";
}

core::Result<std::vector<PendingChange>> deliveryRecords(PgConnection& conn, const PgQuery& where, const char* action,
                                                         std::optional<std::string> status, std::int64_t atMicros) {
  auto rows = conn.exec(
      "SELECT id, forge, delivery_id, hook_id, event, action, repository, sender, received_at, last_attempt_at, "
      "attempts, body_size, content_type, verification, source, body_pruned_at IS NOT NULL, status FROM deliveries "
      "WHERE true" +
          where.sql + " ORDER BY id",
      where.params);
  if (!rows) return std::unexpected(rows.error());
  std::vector<PendingChange> out;
  out.reserve(static_cast<std::size_t>(rows->rows()));
  for (int i = 0; i < rows->rows(); ++i) {
    const auto id = rows->integer(i, 0);
    const std::string forge = rows->text(i, 1), repository = rows->text(i, 6);
    const std::string rowStatus = status ? *status : rows->text(i, 16);
    out.push_back({atMicros, "deliveries", action, std::to_string(id), forge, repository,
                   deliverySummaryJson({id, forge, rows->text(i, 2), rows->text(i, 3), rows->text(i, 4),
                                        rows->text(i, 5), repository, rows->text(i, 7), rows->integer(i, 8),
                                        rows->integer(i, 9), rows->integer(i, 10), rows->integer(i, 11),
                                        rows->text(i, 12), rows->text(i, 13), rows->text(i, 14),
                                        rows->text(i, 15) == "t", rowStatus})});
  }
  return out;
}

}  // namespace forgehook::store::postgres
