#pragma once
// Retention of delivery bodies on SQLite: a pruned body becomes an empty blob and the row gets
// `body_pruned_at`; the freed pages are reused by later writes (the file does not shrink). Prunes
// through the shared write connection in short relaxed transactions. Thread-safe.
#include "store/body_retention.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteBodyRetention final : public BodyRetention {
 public:
  explicit SqliteBodyRetention(Database& db) : db_(db) {}

  core::Result<PrunedBodies> measurePrunable(std::int64_t cutoffMicros) override;
  core::Result<PrunedBodies> pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros, int batchRows,
                                         const std::function<bool()>& between) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
