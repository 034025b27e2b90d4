#pragma once
// SQL assembled from optional filters: clauses with numbered placeholders, and the values to bind
// to them in order. Values are always bound, never spliced into the text.
#include <string>
#include <vector>

#include "store/activity.h"
#include "store/delivery.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

struct BoundSql {
  std::string sql;
  std::vector<FieldValue> params;

  // Appends `clause` followed by the next placeholder ("?N") and remembers `value`.
  void add(std::string_view clause, FieldValue value);
  void bindTo(Statement& statement) const;
};

// " AND ..." clauses for a delivery filter (everything but cursor and limit).
void addDeliveryFilter(BoundSql& out, const DeliveryFilter& filter);

}  // namespace forgehook::store::sqlite
