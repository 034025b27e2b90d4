#include "store/sqlite/bound_sql.h"

namespace forgehook::store::sqlite {

void BoundSql::add(std::string_view clause, FieldValue value) {
  sql += clause;
  sql += '?';
  sql += std::to_string(params.size() + 1);
  params.push_back(std::move(value));
}

void BoundSql::bindTo(Statement& statement) const {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* text = std::get_if<std::string>(&params[i]))
      statement.bind(index, *text);
    else if (const auto* number = std::get_if<std::int64_t>(&params[i]))
      statement.bind(index, *number);
    else
      statement.bindNull(index);
  }
}

void addDeliveryFilter(BoundSql& out, const DeliveryFilter& f) {
  if (f.forge) out.add(" AND forge = ", *f.forge);
  if (f.event) out.add(" AND event = ", *f.event);
  if (f.repository) {  // as the forges compare names: case-insensitively
    out.add(" AND repository = ", *f.repository);
    out.sql += " COLLATE NOCASE";
  }
  if (f.status) out.add(" AND status = ", *f.status);
  if (f.sinceMicros) out.add(" AND received_at >= ", *f.sinceMicros);
  if (f.untilMicros) out.add(" AND received_at < ", *f.untilMicros);
  if (f.id) out.add(" AND id = ", *f.id);
  if (f.idAbove) out.add(" AND id > ", *f.idAbove);
  if (f.idAtMost) out.add(" AND id <= ", *f.idAtMost);
  if (f.deliveryId) out.add(" AND delivery_id = ", *f.deliveryId);  // index deliveries_identity (delivery_id first)
  if (f.withBodyOnly) out.sql += " AND body_pruned_at IS NULL";
}

}  // namespace forgehook::store::sqlite
