#pragma once
// Applies the model's records (store/activity.h) to the projection tables inside the caller's
// transaction on PostgreSQL: the same upserts as the SQLite store's ProjectionWriter (versioned:
// the newest state wins, equal versions re-apply), so both backends derive the same rows from the
// same deliveries (a test applies every GitHub example to both and compares the tables).
#include <string>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

class PgProjectionWriter {
 public:
  explicit PgProjectionWriter(PgConnection& conn) : conn_(conn) {}

  // Throws std::invalid_argument for a table or column the projections do not have: a bug in the
  // model, never caused by a payload. Errors: as PgConnection::exec.
  [[nodiscard]] core::Result<void> apply(const EntityWrite& write);
  [[nodiscard]] core::Result<void> apply(const ActivityEntry& activity, std::int64_t deliveryId);
  // Re-derives the incidents of one workflow on one branch from its completed runs: a failed run
  // after a success (or the first run) opens one, the next successful run resolves it.
  [[nodiscard]] core::Result<void> recomputeIncidents(const IncidentScope& scope);

 private:
  PgConnection& conn_;
};

}  // namespace forgehook::store::postgres
