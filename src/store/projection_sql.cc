#include "store/projection_sql.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "core/json_text.h"

namespace forgehook::store {
namespace {

void checkIdentifier(const std::string& name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
    throw std::invalid_argument("bad projection column name: " + name);
}

bool isFailure(const std::string& conclusion) {
  return conclusion == "failure" || conclusion == "timed_out" || conclusion == "startup_failure";
}

}  // namespace

const std::vector<std::string>& writableProjectionTables() {
  static const std::vector<std::string> tables = {
      "repositories", "pulls",  "reviews",    "issues",      "issue_reopens",       "comments", "runs", "releases",
      "refs",         "pushes", "milestones", "deployments", "deployment_statuses",
  };
  return tables;
}

std::string projectionWriteShape(const EntityWrite& write) {
  std::string shape = write.table;
  shape += static_cast<char>('0' + static_cast<int>(write.mode));
  for (const auto* list : {&write.key, &write.fields}) {
    shape += '|';
    for (const auto& f : *list) {
      checkIdentifier(f.name);  // here too: a name with ',' or '|' would pass for another shape
      (shape += f.name) += ',';
    }
  }
  return shape;
}

std::string projectionUpsertSql(const EntityWrite& write, const std::function<std::string(int)>& placeholder) {
  const auto& tables = writableProjectionTables();
  if (std::find(tables.begin(), tables.end(), write.table) == tables.end())
    throw std::invalid_argument("not a projection table: " + write.table);
  std::string columns, values, updates, fills, keyColumns;
  int index = 0;
  auto add = [&](const Field& f) {
    checkIdentifier(f.name);
    if (index) {
      columns += ", ";
      values += ", ";
    }
    columns += f.name;
    values += placeholder(++index);
  };
  for (const auto& f : write.key) {
    add(f);
    keyColumns += (keyColumns.empty() ? "" : ", ") + f.name;
  }
  for (const auto& f : write.fields) {
    add(f);
    updates += (updates.empty() ? "" : ", ") + f.name + " = excluded." + f.name;
    fills += (fills.empty() ? "" : ", ") + f.name + " = coalesce(" + write.table + "." + f.name + ", excluded." +
             f.name + ")";
  }
  columns += ", version";
  values += ", ";
  values += placeholder(++index);
  std::string sql =
      "INSERT INTO " + write.table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT (" + keyColumns + ") DO ";
  if (write.mode == WriteMode::InsertIfAbsent || updates.empty()) {
    sql += "NOTHING";
  } else if (write.mode == WriteMode::FillMissing) {
    sql += "UPDATE SET " + fills;
  } else {
    // Equal versions re-apply: a replayed delivery rewrites the same values.
    sql +=
        "UPDATE SET " + updates + ", version = excluded.version WHERE excluded.version >= " + write.table + ".version";
  }
  return sql;
}

std::vector<DerivedIncident> deriveIncidents(const std::vector<CompletedRun>& runs) {
  std::vector<DerivedIncident> incidents;
  std::optional<DerivedIncident> open;
  std::vector<std::string> failed;
  const auto close = [&] {
    std::string json = "[";
    for (std::size_t i = 0; i < failed.size(); ++i) {
      if (i) json += ',';
      core::appendJsonString(json, failed[i]);
    }
    open->failedRunsJson = json + "]";
    incidents.push_back(std::move(*open));
    open.reset();
    failed.clear();
  };
  for (const auto& r : runs) {
    if (isFailure(r.conclusion)) {
      if (!open) open = DerivedIncident{r.run, r.at, "", 0, ""};
      failed.push_back(r.run);
    } else if (r.conclusion == "success" && open) {
      open->resolvedRun = r.run;
      open->resolvedAt = r.at;
      close();
    }
  }
  if (open) close();
  return incidents;
}

}  // namespace forgehook::store
