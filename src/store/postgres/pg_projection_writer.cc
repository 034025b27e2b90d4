#include "store/postgres/pg_projection_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>

namespace forgehook::store::postgres {
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

PgParam param(const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* t = std::get_if<std::string>(&v)) return *t;
  return std::nullopt;
}

bool isFailure(const std::string& conclusion) {
  return conclusion == "failure" || conclusion == "timed_out" || conclusion == "startup_failure";
}

// The upsert of one write shape, as the SQLite store's (projection_writer.cc) with $N placeholders.
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
    values += '$';
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
  values += ", $";
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

core::Result<void> done(core::Result<PgResult> r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace

core::Result<void> PgProjectionWriter::apply(const EntityWrite& write) {
  if (!kWritableTables.contains(write.table)) throw std::invalid_argument("not a projection table: " + write.table);
  std::vector<PgParam> params;
  for (const auto& f : write.key) params.push_back(param(f.value));
  for (const auto& f : write.fields) params.push_back(param(f.value));
  params.emplace_back(std::to_string(write.version));
  return done(conn_.exec(upsertSql(write), params));
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
  struct Incident {
    std::string openedRun;
    std::int64_t openedAt = 0;
    std::string resolvedRun;
    std::int64_t resolvedAt = 0;
    nlohmann::json failed = nlohmann::json::array();
  };
  auto runs = conn_.exec(
      // Byte order for run ids, as SQLite compares them, whatever the database's collation.
      "SELECT run_id, attempt, conclusion, coalesce(completed_at, started_at, 0) FROM runs WHERE forge = $1 AND "
      "repo_id = $2 AND workflow = $3 AND branch = $4 AND kind IN ('workflow_run', 'pipeline') AND status = "
      "'completed' ORDER BY coalesce(started_at, completed_at, 0), run_id COLLATE \"C\", attempt",
      {scope.forge, scope.repoId, scope.workflow, scope.branch});
  if (!runs) return std::unexpected(runs.error());
  std::vector<Incident> incidents;
  std::optional<Incident> open;
  for (int i = 0; i < runs->rows(); ++i) {
    const std::string run = runs->text(i, 0) + "/" + runs->text(i, 1);
    const std::string conclusion = runs->text(i, 2);
    const std::int64_t at = runs->integer(i, 3);
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
  if (open) incidents.push_back(std::move(*open));
  // Upserts keep each incident's id (and so its acknowledgement) across recomputations.
  nlohmann::json keep = nlohmann::json::array();
  for (const auto& incident : incidents) {
    auto upserted = conn_.exec(
        "INSERT INTO incidents (forge, repo_id, workflow, branch, opened_run, opened_at, resolved_run, resolved_at, "
        "failed_runs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (forge, repo_id, workflow, branch, "
        "opened_run) DO UPDATE SET opened_at = excluded.opened_at, resolved_run = excluded.resolved_run, resolved_at "
        "= excluded.resolved_at, failed_runs = excluded.failed_runs",
        {scope.forge, scope.repoId, scope.workflow, scope.branch, incident.openedRun, std::to_string(incident.openedAt),
         incident.resolvedRun.empty() ? PgParam(std::nullopt) : PgParam(incident.resolvedRun),
         incident.resolvedRun.empty() ? PgParam(std::nullopt) : PgParam(std::to_string(incident.resolvedAt)),
         incident.failed.dump()});
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
