#pragma once
// The delivery log on PostgreSQL: one transaction per commit group, acknowledged once it commits
// (synchronous_commit = on, set by every connection). Dedupe is the unique constraint
// deliveries_identity (delivery_id, forge, hook_id): INSERT ... ON CONFLICT DO UPDATE counts the
// repeat, and a second node inserting the same delivery at the same moment waits for the first
// one's commit and then counts it too, so a delivery is stored once however many nodes got it.
// Bodies go to delivery_bodies as bytea, still encoded as ingest encoded them. Each new delivery's
// "created" record of the change feed commits with it (pg_change_log.h).
#include "store/delivery_log.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgDeliveryLog final : public DeliveryLog {
 public:
  explicit PgDeliveryLog(PgPool& pool) : pool_(pool) {}

  [[nodiscard]] core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) override;
  [[nodiscard]] core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) override;
  [[nodiscard]] core::Result<DeliveryDetail> getDelivery(std::int64_t id) override;
  [[nodiscard]] core::Result<std::vector<std::string>> storedDeliveryIds(
      const std::string& forge, const std::string& hookId, std::span<const std::string> deliveryIds) override;
  [[nodiscard]] core::Result<void> checkWritable() override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
