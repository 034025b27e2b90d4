#include "store/sqlite/projection_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace forgehook::store::sqlite {
namespace {

const std::set<std::string, std::less<>> kWritableTables = {
    "repositories", "pulls",  "reviews",    "issues",      "issue_reopens",       "comments", "runs", "releases",
    "refs",         "pushes", "milestones", "deployments", "deployment_statuses",
};

// Column names come from model code, never from a payload; checked anyway so a typo fails loudly.
void checkIdentifier(const std::string& name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
    throw std::invalid_argument("bad projection column name: " + name);
}

void bindValue(Statement& s, int index, const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v))
    s.bind(index, *i);
  else if (const auto* t = std::get_if<std::string>(&v))
    s.bind(index, *t);
  else
    s.bindNull(index);
}

bool isFailure(const std::string& conclusion) {
  return conclusion == "failure" || conclusion == "timed_out" || conclusion == "startup_failure";
}

}  // namespace

const std::vector<std::string>& ProjectionWriter::derivedTables() {
  static const std::vector<std::string> tables = [] {
    std::vector<std::string> t(kWritableTables.begin(), kWritableTables.end());
    t.push_back("incidents");
    t.push_back("activity");
    return t;
  }();
  return tables;
}

Statement& ProjectionWriter::prepared(const std::string& sql) {
  auto& slot = cache_[sql];
  if (!slot) slot = std::make_unique<Statement>(db_, sql);
  return *slot;
}

namespace {

// The upsert of one write shape (table, mode, key and field names).
std::string upsertSql(const EntityWrite& write) {
  std::string columns, values, updates, fills, keyColumns;
  int index = 0;
  auto add = [&](const Field& f) {
    checkIdentifier(f.name);
    if (index) {
      columns += ", ";
      values += ", ";
    }
    columns += f.name;
    values += '?';
    values += std::to_string(++index);
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
  values += ", ?";
  values += std::to_string(++index);
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

}  // namespace

int ProjectionWriter::apply(const EntityWrite& write) {
  if (!kWritableTables.contains(write.table)) throw std::invalid_argument("not a projection table: " + write.table);
  // Statements are found by the write's shape, a short key: the SQL is built once per shape.
  std::string shape = write.table;
  shape += static_cast<char>('0' + static_cast<int>(write.mode));
  for (const auto* list : {&write.key, &write.fields}) {
    shape += '|';
    for (const auto& f : *list) {
      checkIdentifier(f.name);  // here too: a name with ',' or '|' would pass for another shape
      (shape += f.name) += ',';
    }
  }
  auto& slot = cache_[shape];
  if (!slot) slot = std::make_unique<Statement>(db_, upsertSql(write));
  auto& s = *slot;
  int i = 0;
  for (const auto& f : write.key) bindValue(s, ++i, f.value);
  for (const auto& f : write.fields) bindValue(s, ++i, f.value);
  s.bind(++i, write.version);
  const int rc = s.step();
  s.reset();
  return rc;
}

int ProjectionWriter::apply(const ActivityEntry& a, std::int64_t deliveryId) {
  auto& s = prepared(
      "INSERT INTO activity (delivery_id, at, forge, repo_id, repository, actor, kind, action, summary, url) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (delivery_id) DO UPDATE SET at = excluded.at, "
      "forge = excluded.forge, repo_id = excluded.repo_id, repository = excluded.repository, actor = excluded.actor, "
      "kind = excluded.kind, action = excluded.action, summary = excluded.summary, url = excluded.url");
  s.bind(1, deliveryId).bind(2, a.at).bind(3, a.forge).bind(4, a.repoId).bind(5, a.repository).bind(6, a.actor);
  s.bind(7, a.kind).bind(8, a.action).bind(9, a.summary).bind(10, a.url);
  const int rc = s.step();
  s.reset();
  return rc;
}

int ProjectionWriter::recomputeIncidents(const IncidentScope& scope) {
  struct Incident {
    std::string openedRun;
    std::int64_t openedAt = 0;
    std::string resolvedRun;
    std::int64_t resolvedAt = 0;
    nlohmann::json failed = nlohmann::json::array();
  };
  std::vector<Incident> incidents;
  {
    auto& runs = prepared(
        "SELECT run_id, attempt, conclusion, coalesce(completed_at, started_at, 0) FROM runs WHERE forge = ?1 AND "
        "repo_id = ?2 AND workflow = ?3 AND branch = ?4 AND kind IN ('workflow_run', 'pipeline') AND status = "
        "'completed' ORDER BY coalesce(started_at, completed_at, 0), run_id, attempt");
    runs.bind(1, scope.forge).bind(2, scope.repoId).bind(3, scope.workflow).bind(4, scope.branch);
    std::optional<Incident> open;
    int rc;
    while ((rc = runs.step()) == SQLITE_ROW) {
      const std::string run = runs.text(0) + "/" + std::to_string(runs.integer(1));
      const std::string conclusion = runs.text(2);
      const std::int64_t at = runs.integer(3);
      if (isFailure(conclusion)) {
        if (!open) open = Incident{run, at, "", 0, nlohmann::json::array()};
        open->failed.push_back(run);
      } else if (conclusion == "success" && open) {
        open->resolvedRun = run;
        open->resolvedAt = at;
        incidents.push_back(std::move(*open));
        open.reset();
      }
    }
    runs.reset();
    if (rc != SQLITE_DONE) return rc;
    if (open) incidents.push_back(std::move(*open));
  }
  // Upserts keep each incident's id (and so its acknowledgement) across recomputations.
  auto& upsert = prepared(
      "INSERT INTO incidents (forge, repo_id, workflow, branch, opened_run, opened_at, resolved_run, resolved_at, "
      "failed_runs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (forge, repo_id, workflow, branch, "
      "opened_run) DO UPDATE SET opened_at = excluded.opened_at, resolved_run = excluded.resolved_run, resolved_at = "
      "excluded.resolved_at, failed_runs = excluded.failed_runs");
  nlohmann::json keep = nlohmann::json::array();
  for (const auto& incident : incidents) {
    upsert.bind(1, scope.forge).bind(2, scope.repoId).bind(3, scope.workflow).bind(4, scope.branch);
    upsert.bind(5, incident.openedRun).bind(6, incident.openedAt);
    if (incident.resolvedRun.empty())
      upsert.bindNull(7).bindNull(8);
    else
      upsert.bind(7, incident.resolvedRun).bind(8, incident.resolvedAt);
    upsert.bind(9, incident.failed.dump());
    const int rc = upsert.step();
    upsert.reset();
    if (rc != SQLITE_DONE) return rc;
    keep.push_back(incident.openedRun);
  }
  auto& prune = prepared(
      "DELETE FROM incidents WHERE forge = ?1 AND repo_id = ?2 AND workflow = ?3 AND branch = ?4 AND opened_run NOT IN "
      "(SELECT value FROM json_each(?5))");
  prune.bind(1, scope.forge).bind(2, scope.repoId).bind(3, scope.workflow).bind(4, scope.branch).bind(5, keep.dump());
  const int rc = prune.step();
  prune.reset();
  return rc;
}

}  // namespace forgehook::store::sqlite
