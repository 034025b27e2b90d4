#include "store/postgres/pg_body_retention.h"

namespace forgehook::store::postgres {
namespace {

// Settled deliveries (the pipeline is done with them) received before the cutoff, body kept.
constexpr const char* kPrunable =
    "FROM deliveries d JOIN delivery_bodies b ON b.delivery = d.id WHERE d.received_at < $1 AND d.body_pruned_at IS "
    "NULL AND d.status NOT IN ('queued', 'retrying')";

}  // namespace

core::Result<PrunedBodies> PgBodyRetention::measurePrunable(std::int64_t cutoffMicros) {
  auto row = pool_.exec(std::string("SELECT count(*), coalesce(sum(octet_length(b.body)), 0) ") + kPrunable,
                           {std::to_string(cutoffMicros)});
  if (!row) return std::unexpected(row.error());
  return PrunedBodies{row->integer(0, 0), row->integer(0, 1)};
}

core::Result<PrunedBodies> PgBodyRetention::pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros,
                                                        int batchRows, const std::function<bool()>& between) {
  PrunedBodies total;
  for (;;) {
    // One statement, one transaction: the oldest batch picked and locked (others' skipped), the
    // payloads emptied (the headers stay), the deliveries marked.
    auto batch = pool_.exec(
        std::string("WITH picked AS (SELECT d.id, octet_length(b.body) AS bytes ") + kPrunable +
            " ORDER BY d.received_at, d.id LIMIT $2 FOR UPDATE OF d, b SKIP LOCKED), emptied AS (UPDATE "
            "delivery_bodies SET body = ''::bytea FROM picked WHERE delivery = picked.id), marked AS (UPDATE "
            "deliveries SET body_pruned_at = $3 FROM picked WHERE deliveries.id = picked.id) SELECT count(*), "
            "coalesce(sum(bytes), 0) FROM picked",
        {std::to_string(cutoffMicros), std::to_string(batchRows), std::to_string(nowMicros)});
    if (!batch) return std::unexpected(batch.error());
    const auto deliveries = batch->integer(0, 0);
    total.deliveries += deliveries;
    total.bytes += batch->integer(0, 1);
    if (deliveries < batchRows) break;
    if (between && !between()) break;
  }
  return total;
}

}  // namespace forgehook::store::postgres
