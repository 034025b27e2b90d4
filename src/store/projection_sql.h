#pragma once
// What both stores' projection writers share: the tables the model may write, the upsert of one
// write shape (versioned: the newest state wins, equal versions re-apply, FillMissing only fills
// NULLs), and how a workflow's completed runs become incidents. The writers only run the SQL.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/activity.h"

namespace forgehook::store {

// The projection tables the model writes with EntityWrite.
[[nodiscard]] const std::vector<std::string>& writableProjectionTables();

// INSERT ... ON CONFLICT ... for `write`'s table, mode and field names (values are parameters:
// placeholder(n) for the n-th, 1-based: key fields, then fields, then the version). Throws
// std::invalid_argument for a table that is not a projection or a column name that is not
// [a-z_]+: names come from model code, never from a payload, and a typo fails loudly.
[[nodiscard]] std::string projectionUpsertSql(const EntityWrite& write, const std::function<std::string(int)>& placeholder);

// A key for the upsert's shape (table, mode, field names): statements are cached by it.
[[nodiscard]] std::string projectionWriteShape(const EntityWrite& write);

// One completed run of a workflow on a branch, in the order they ran.
struct CompletedRun {
  std::string run;  // "<run id>/<attempt>"
  std::string conclusion;
  std::int64_t at = 0;
};

struct DerivedIncident {
  std::string openedRun;
  std::int64_t openedAt = 0;
  std::string resolvedRun;  // "" while open
  std::int64_t resolvedAt = 0;
  std::string failedRunsJson;  // JSON array of the runs that failed while it was open
};

// A failed run after a success (or the first run) opens an incident, the next successful run
// resolves it.
[[nodiscard]] std::vector<DerivedIncident> deriveIncidents(const std::vector<CompletedRun>& runs);

}  // namespace forgehook::store
