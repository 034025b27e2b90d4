#include "store/sqlite/projection_writer.h"

#include <nlohmann/json.hpp>

#include "store/projection_sql.h"

namespace forgehook::store::sqlite {
namespace {

void bindValue(Statement& s, int index, const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v))
    s.bind(index, *i);
  else if (const auto* t = std::get_if<std::string>(&v))
    s.bind(index, *t);
  else
    s.bindNull(index);
}

}  // namespace

const std::vector<std::string>& ProjectionWriter::derivedTables() {
  static const std::vector<std::string> tables = [] {
    std::vector<std::string> t = writableProjectionTables();
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

int ProjectionWriter::apply(const EntityWrite& write) {
  // Statements are found by the write's shape, a short key: the SQL is built once per shape.
  auto& slot = cache_[projectionWriteShape(write)];
  if (!slot) {
    const auto placeholder = [](int n) {
      std::string p = "?";  // appended, not "?" + ...: GCC 12 warns falsely (-Wrestrict) on that
      return p += std::to_string(n);
    };
    slot = std::make_unique<Statement>(db_, projectionUpsertSql(write, placeholder));
  }
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
  std::vector<CompletedRun> completed;
  {
    auto& runs = prepared(
        "SELECT run_id, attempt, conclusion, coalesce(completed_at, started_at, 0) FROM runs WHERE forge = ?1 AND "
        "repo_id = ?2 AND workflow = ?3 AND branch = ?4 AND kind IN ('workflow_run', 'pipeline') AND status = "
        "'completed' ORDER BY coalesce(started_at, completed_at, 0), run_id, attempt");
    runs.bind(1, scope.forge).bind(2, scope.repoId).bind(3, scope.workflow).bind(4, scope.branch);
    int rc;
    while ((rc = runs.step()) == SQLITE_ROW)
      completed.push_back({runs.text(0) + "/" + std::to_string(runs.integer(1)), runs.text(2), runs.integer(3)});
    runs.reset();
    if (rc != SQLITE_DONE) return rc;
  }
  const auto incidents = deriveIncidents(completed);
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
    upsert.bind(9, incident.failedRunsJson);
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
