#pragma once
// SQL over the deliveries table shared by the PostgreSQL roles that list, requeue and process
// deliveries: filters as parameters, and a delivery's change-feed record ("deliveries" resource)
// built from its row as the API summarizes it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

// SQL assembled from optional filters, each value a parameter ($N), never spliced.
struct PgQuery {
  std::string sql;
  std::vector<PgParam> params;
  void add(std::string_view clause, std::string value);
};

// Appends " AND ..." for each field `f` sets (over the deliveries table, unaliased).
void addDeliveryFilter(PgQuery& q, const DeliveryFilter& f);

// The change-feed record of each delivery `where` selects (" AND ..." over deliveries, its own
// parameters), in id order, with `action` and the status it has now, or `status` when given (a
// record written before the UPDATE that sets it). Errors: as PgConnection::exec.
[[nodiscard]] core::Result<std::vector<PendingChange>> deliveryRecords(PgConnection& conn, const PgQuery& where,
                                                                       const char* action,
                                                                       std::optional<std::string> status,
                                                                       std::int64_t atMicros);

}  // namespace forgehook::store::postgres
