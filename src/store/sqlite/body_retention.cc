#include "store/sqlite/body_retention.h"

namespace forgehook::store::sqlite {
namespace {

// Settled deliveries with a body, received before ?1. deliveries_unpruned (migration 9) holds only
// the rows with a body, by received_at, so a batch starts at the oldest body left instead of
// stepping over every row pruned before. length() of a blob reads its size, not its pages.
constexpr const char* kPrunable =
    "FROM deliveries INDEXED BY deliveries_unpruned JOIN delivery_bodies b ON b.delivery = id "
    "WHERE body_pruned_at IS NULL AND received_at < ?1 AND status NOT IN ('queued', 'retrying')";

}  // namespace

core::Result<PrunedBodies> SqliteBodyRetention::measurePrunable(std::int64_t cutoffMicros) {
  return db_.read<PrunedBodies>([&](sqlite3* db) -> core::Result<PrunedBodies> {
    Statement s(db, std::string("SELECT count(*), coalesce(sum(length(b.body)), 0) ") + kPrunable);
    s.bind(1, cutoffMicros);
    if (const int rc = s.step(); rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    return PrunedBodies{s.integer(0), s.integer(1)};
  });
}

core::Result<PrunedBodies> SqliteBodyRetention::pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros,
                                                            int batchRows, const std::function<bool()>& between) {
  PrunedBodies total;
  const std::string select = std::string("SELECT id, length(b.body) ") + kPrunable + " ORDER BY received_at LIMIT ?2";
  for (;;) {
    PrunedBodies batch;
    // Relaxed: a prune lost to a power cut leaves the bodies in place, to be pruned again.
    auto done = db_.write(
        [&](sqlite3* db) -> core::Result<void> {
          batch = {};
          Statement pick(db, select);
          pick.bind(1, cutoffMicros).bind(2, static_cast<std::int64_t>(batchRows));
          // The headers stay (delivery_bodies keeps the row): only the payload goes.
          Statement pruneBody(db, "UPDATE delivery_bodies SET body = x'' WHERE delivery = ?1");
          Statement mark(db, "UPDATE deliveries SET body_pruned_at = ?2 WHERE id = ?1");
          int rc;
          std::vector<std::int64_t> ids;
          while ((rc = pick.step()) == SQLITE_ROW) {
            ids.push_back(pick.integer(0));
            batch.bytes += pick.integer(1);
          }
          must(rc);
          for (const auto id : ids) {
            must(pruneBody.bind(1, id).run());
            must(mark.bind(1, id).bind(2, nowMicros).run());
          }
          batch.deliveries = static_cast<std::int64_t>(ids.size());
          return {};
        },
        Database::Sync::Relaxed);
    if (!done) return std::unexpected(done.error());
    total.deliveries += batch.deliveries;
    total.bytes += batch.bytes;
    if (batch.deliveries < batchRows || !between()) return total;
  }
}

}  // namespace forgehook::store::sqlite
