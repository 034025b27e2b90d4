#pragma once
// Retention of delivery bodies on PostgreSQL (store/body_retention.h): the payloads of old settled
// deliveries are emptied in delivery_bodies (the headers stay) and the delivery is marked pruned,
// a batch per transaction. Rows another node is pruning at the same moment are skipped (SKIP
// LOCKED), so a retention that runs on two nodes at once prunes each body once.
#include "store/body_retention.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgBodyRetention final : public BodyRetention {
 public:
  explicit PgBodyRetention(PgPool& pool) : pool_(pool) {}
  [[nodiscard]] core::Result<PrunedBodies> measurePrunable(std::int64_t cutoffMicros) override;
  [[nodiscard]] core::Result<PrunedBodies> pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros, int batchRows,
                                                       const std::function<bool()>& between) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
