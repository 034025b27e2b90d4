#pragma once
// Applies the model's records (store/activity.h) to the projection tables on the write connection,
// inside the caller's transaction. Statements are prepared once per distinct write shape. Not
// thread-safe: used under the store's write mutex only.
#include <map>
#include <memory>
#include <string>

#include "store/activity.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

class ProjectionWriter {
 public:
  explicit ProjectionWriter(sqlite3* db) : db_(db) {}

  // Returns the SQLite result code (SQLITE_DONE on success). Throws std::invalid_argument for a
  // table or column the projections do not have: a bug in the model, never caused by a payload.
  int apply(const EntityWrite& write);
  int apply(const ActivityEntry& activity, std::int64_t deliveryId);
  // Re-derives the incidents of one workflow on one branch from its completed runs: a failed run
  // after a success (or the first run) opens one, the next successful run resolves it.
  int recomputeIncidents(const IncidentScope& scope);

  // The tables the pipeline derives from deliveries; rebuild empties exactly these.
  static const std::vector<std::string>& derivedTables();

 private:
  Statement& prepared(const std::string& sql);
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace forgehook::store::sqlite
