#include "store/postgres/pg_projection_writer.h"

#include <nlohmann/json.hpp>

#include "store/postgres/pg_values.h"
#include "store/projection_sql.h"

namespace forgehook::store::postgres {
namespace {

core::Result<void> done(core::Result<PgResult> r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace

core::Result<void> PgProjectionWriter::apply(const EntityWrite& write) {
  std::vector<PgParam> params;
  for (const auto& f : write.key) params.push_back(pgParam(f.value));
  for (const auto& f : write.fields) params.push_back(pgParam(f.value));
  params.emplace_back(std::to_string(write.version));
  const auto placeholder = [](int n) {
    std::string p = "$";  // appended, not "$" + ...: GCC 12 warns falsely (-Wrestrict) on that
    return p += std::to_string(n);
  };
  return done(conn_.exec(projectionUpsertSql(write, placeholder), params));
}

core::Result<void> PgProjectionWriter::apply(const ActivityEntry& a, std::int64_t deliveryId) {
  return done(conn_.exec(
      "INSERT INTO activity (delivery_id, at, forge, repo_id, repository, actor, kind, action, summary, url) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (delivery_id) DO UPDATE SET at = excluded.at, "
      "forge = excluded.forge, repo_id = excluded.repo_id, repository = excluded.repository, actor = excluded.actor, "
      "kind = excluded.kind, action = excluded.action, summary = excluded.summary, url = excluded.url",
      {std::to_string(deliveryId), std::to_string(a.at), a.forge, a.repoId, a.repository, a.actor, a.kind, a.action,
       a.summary, a.url}));
}

core::Result<void> PgProjectionWriter::recomputeIncidents(const IncidentScope& scope) {
  auto runs = conn_.exec(
      // Byte order for run ids, as SQLite compares them, whatever the database's collation.
      "SELECT run_id, attempt, conclusion, coalesce(completed_at, started_at, 0) FROM runs WHERE forge = $1 AND "
      "repo_id = $2 AND workflow = $3 AND branch = $4 AND kind IN ('workflow_run', 'pipeline') AND status = "
      "'completed' ORDER BY coalesce(started_at, completed_at, 0), run_id COLLATE \"C\", attempt",
      {scope.forge, scope.repoId, scope.workflow, scope.branch});
  if (!runs) return std::unexpected(runs.error());
  std::vector<CompletedRun> completed;
  for (int i = 0; i < runs->rows(); ++i)
    completed.push_back({runs->text(i, 0) + "/" + runs->text(i, 1), runs->text(i, 2), runs->integer(i, 3)});
  // Upserts keep each incident's id (and so its acknowledgement) across recomputations.
  nlohmann::json keep = nlohmann::json::array();
  for (const auto& incident : deriveIncidents(completed)) {
    auto upserted = conn_.exec(
        "INSERT INTO incidents (forge, repo_id, workflow, branch, opened_run, opened_at, resolved_run, resolved_at, "
        "failed_runs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (forge, repo_id, workflow, branch, "
        "opened_run) DO UPDATE SET opened_at = excluded.opened_at, resolved_run = excluded.resolved_run, resolved_at "
        "= excluded.resolved_at, failed_runs = excluded.failed_runs",
        {scope.forge, scope.repoId, scope.workflow, scope.branch, incident.openedRun, std::to_string(incident.openedAt),
         incident.resolvedRun.empty() ? PgParam(std::nullopt) : PgParam(incident.resolvedRun),
         incident.resolvedRun.empty() ? PgParam(std::nullopt) : PgParam(std::to_string(incident.resolvedAt)),
         incident.failedRunsJson});
    if (!upserted) return std::unexpected(upserted.error());
    keep.push_back(incident.openedRun);
  }
  // The kept runs as a JSON array, read back as text by the server: no array literal to escape.
  return done(conn_.exec(
      "DELETE FROM incidents WHERE forge = $1 AND repo_id = $2 AND workflow = $3 AND branch = $4 AND opened_run <> ALL "
      "(ARRAY(SELECT jsonb_array_elements_text($5::jsonb)))",
      {scope.forge, scope.repoId, scope.workflow, scope.branch, keep.dump()}));
}

}  // namespace forgehook::store::postgres
