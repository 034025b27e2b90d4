#include "store/resource_sql.h"

#include <array>
#include <map>
#include <stdexcept>

namespace forgehook::store {
namespace {

using Expressions = std::map<std::string_view, std::string>;

// The store whose SQL the expressions are written in, while one is built (build() sets it).
thread_local SqlDialect dialect = SqlDialect::Sqlite;
bool pg() { return dialect == SqlDialect::Postgres; }

// SQL fragments for the JSON objects.
std::string ts(const std::string& column) {
  if (pg()) return "to_char(to_timestamp(" + column + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
  return "strftime('%Y-%m-%dT%H:%M:%SZ', " + column + ", 'unixepoch')";
}
// A 0/1 column (or a condition) as JSON true/false, NULL as null.
std::string boolean(const std::string& column) {
  if (pg()) return "(CASE WHEN (" + column + ") IS NULL THEN NULL ELSE (" + column + ")::int <> 0 END)";
  return "json(CASE WHEN " + column + " IS NULL THEN 'null' WHEN " + column + " THEN 'true' ELSE 'false' END)";
}
// A column holding JSON text, as JSON.
std::string json(const std::string& column) { return pg() ? "(" + column + ")::json" : "json(" + column + ")"; }
// A number rounded to `digits` decimals (a JSON number, not text).
std::string rounded(const std::string& value, int digits) {
  if (pg()) return "round((" + value + ")::numeric, " + std::to_string(digits) + ")::float8";
  return "round(" + value + ", " + std::to_string(digits) + ")";
}
std::string hours(const std::string& from, const std::string& to) {
  return rounded("(" + to + " - " + from + ") / 3600.0", 2);
}
std::string jsonList(const std::string& column) { return json("coalesce(" + column + ", '[]')"); }
std::string object(const std::string& pairs) { return (pg() ? "json_build_object(" : "json_object(") + pairs + ")"; }
// Text ordered by its bytes, as SQLite orders it, whatever PostgreSQL's collation.
std::string byteOrder(const std::string& column) { return pg() ? column + " COLLATE \"C\"" : column; }
// Every table's unique row number: SQLite's rowid, the row_id column on PostgreSQL.
std::string rowId(const std::string& alias) { return alias + (pg() ? ".row_id" : ".rowid"); }
// Repository names compare as the forges compare them: case-insensitively.
std::string repoJoin(const std::string& alias) {
  return " LEFT JOIN repositories r ON r.forge = " + alias + ".forge AND r.repo_id = " + alias + ".repo_id";
}
std::string commentCount(const std::string& alias) {
  return "(SELECT count(*) FROM comments c WHERE c.forge = " + alias + ".forge AND c.repo_id = " + alias +
         ".repo_id AND c.target_number = " + alias + ".number AND c.deleted = 0)";
}

std::string firstReview() {
  return std::string("(SELECT min(v.submitted_at) FROM reviews v WHERE v.forge = p.forge AND v.repo_id = p.repo_id AND "
                     "v.pr_number = p.number AND v.reviewer ") +
         (pg() ? "IS DISTINCT FROM" : "IS NOT") + " p.author AND v.state != 'pending')";
}

// A planned item's status follows its linked issue; without one (or while the issue is open and was
// never reopened) it is the status set by hand.
const std::string kItemStatus =
    "CASE WHEN iss.state = 'closed' THEN (CASE WHEN iss.state_reason = 'not_planned' THEN 'not_planned' ELSE "
    "'completed' END) WHEN iss.state = 'open' AND EXISTS (SELECT 1 FROM issue_reopens o WHERE o.forge = iss.forge AND "
    "o.repo_id = iss.repo_id AND o.number = iss.number) THEN 'in_progress' ELSE i.status END";

const std::string kIncidentState = "CASE WHEN n.resolved_at IS NULL THEN 'open' ELSE 'resolved' END";

std::string pushes(const std::string& what, const std::string& extra = "") {
  return "(SELECT " + what + " FROM pushes h WHERE h.forge = f.forge AND h.repo_id = f.repo_id AND h.ref = f.ref" +
         extra + ")";
}

ResourceSql pulls() {
  return {" FROM pulls p" + repoJoin("p") + " WHERE 1=1",
          rowId("p"),
          "p.forge",
          "r.full_name",
          "p.created_at",
          "p.author",
          "p.state",
          "p.number",
          false};
}
Expressions pullFields() {
  return {{"forge", "p.forge"},
          {"repository", "r.full_name"},
          {"number", "p.number"},
          {"title", "p.title"},
          {"state", "p.state"},
          {"draft", boolean("p.draft")},
          {"author", "p.author"},
          {"base", "p.base_ref"},
          {"head", "p.head_ref"},
          {"labels", jsonList("p.labels")},
          {"created_at", ts("p.created_at")},
          {"updated_at", ts("p.updated_at")},
          {"merged_at", ts("p.merged_at")},
          {"closed_at", ts("p.closed_at")},
          {"additions", "p.additions"},
          {"deletions", "p.deletions"},
          {"changed_files", "p.changed_files"},
          {"cycle_time_hours", hours("p.created_at", "p.merged_at")},
          {"first_review_at", ts(firstReview())},
          {"review_time_hours", hours("p.created_at", firstReview())},
          {"is_revert", boolean("p.is_revert")},
          {"is_hotfix", boolean("p.is_hotfix")},
          {"comments", commentCount("p")},
          {"stub", boolean("p.stub")},
          {"url", "p.url"}};
}

ResourceSql reviews() {
  return {" FROM reviews v" + repoJoin("v") + " WHERE 1=1",
          rowId("v"),
          "v.forge",
          "r.full_name",
          "v.submitted_at",
          "v.reviewer",
          "v.state",
          "v.pr_number",
          false};
}
Expressions reviewFields() {
  return {{"forge", "v.forge"},
          {"repository", "r.full_name"},
          {"pull_number", "v.pr_number"},
          {"review_id", "v.review_id"},
          {"reviewer", "v.reviewer"},
          {"state", "v.state"},
          {"submitted_at", ts("v.submitted_at")},
          {"url", "v.url"}};
}

ResourceSql issues() {
  return {" FROM issues s" + repoJoin("s") + " WHERE 1=1",
          rowId("s"),
          "s.forge",
          "r.full_name",
          "s.created_at",
          "s.author",
          "s.state",
          "s.number",
          false};
}
Expressions issueFields() {
  return {{"forge", "s.forge"},
          {"repository", "r.full_name"},
          {"number", "s.number"},
          {"title", "s.title"},
          {"state", "s.state"},
          {"state_reason", "s.state_reason"},
          {"author", "s.author"},
          {"labels", jsonList("s.labels")},
          {"assignees", jsonList("s.assignees")},
          {"milestone", "s.milestone"},
          {"created_at", ts("s.created_at")},
          {"updated_at", ts("s.updated_at")},
          {"closed_at", ts("s.closed_at")},
          {"comments", commentCount("s")},
          {"url", "s.url"}};
}

ResourceSql items() {
  return {
      // The linked repository by name: one row, the live one with the newest version, when several
      // repositories carried the name (deleted and created again, renamed): a join on the name alone
      // listed the item once per such row.
      " FROM items i LEFT JOIN repositories r ON r.forge = i.forge AND r.repo_id = (SELECT n.repo_id FROM "
      "repositories n WHERE n.forge = i.forge AND " +
          sameName(dialect, "n.full_name", "i.repository") + " ORDER BY n.deleted, n.version DESC, " +
          byteOrder("n.repo_id") +
          " LIMIT 1) LEFT JOIN issues iss ON iss.forge = r.forge AND iss.repo_id = r.repo_id AND iss.number = "
          "i.issue_number WHERE 1=1",
      "i.id",
      "i.forge",
      "i.repository",
      "i.created_at",
      "i.owner",
      kItemStatus,
      "i.issue_number",
      false};
}
Expressions itemFields() {
  return {{"id", "i.id"},
          {"title", "i.title"},
          {"description", "i.description"},
          {"owner", "i.owner"},
          {"status", kItemStatus},
          {"manual_status", "i.status"},
          // Tags set by hand and the linked issue's labels are kept apart: neither replaces the other.
          {"tags", jsonList("i.tags")},
          {"labels", json("CASE WHEN iss.labels IS NULL THEN '[]' ELSE iss.labels END")},
          {"due_on", ts("i.due_on")},
          {"completed_at",
           ts("CASE WHEN iss.state = 'closed' AND coalesce(iss.state_reason, '') != 'not_planned' THEN iss.closed_at "
              "END")},
          {"issue",
           "CASE WHEN i.issue_number IS NULL THEN NULL ELSE " +
               object("'forge', i.forge, 'repository', i.repository, 'number', i.issue_number, 'state', iss.state, "
                      "'state_reason', iss.state_reason, 'url', iss.url") +
               " END"},
          {"created_at", ts("i.created_at")},
          {"updated_at", ts("i.updated_at")}};
}

ResourceSql runs() {
  return {" FROM runs u" + repoJoin("u") + " WHERE 1=1",
          rowId("u"),
          "u.forge",
          "r.full_name",
          "u.started_at",
          "",
          "coalesce(u.conclusion, u.status)",
          "",
          false};
}
Expressions runFields() {
  return {{"forge", "u.forge"},
          {"repository", "r.full_name"},
          {"kind", "u.kind"},
          {"run_id", "u.run_id"},
          {"attempt", "u.attempt"},
          {"workflow", "u.workflow"},
          {"name", "u.name"},
          {"branch", "u.branch"},
          {"sha", "u.sha"},
          {"event", "u.trigger_event"},
          {"status", "u.status"},
          {"conclusion", "u.conclusion"},
          {"started_at", ts("u.started_at")},
          {"completed_at", ts("u.completed_at")},
          {"duration_seconds", "u.duration_seconds"},
          {"url", "u.url"}};
}

ResourceSql incidents() {
  return {" FROM incidents n" + repoJoin("n") +
              " LEFT JOIN incident_acks a ON a.forge = n.forge AND a.repo_id = n.repo_id AND a.workflow = n.workflow "
              "AND a.branch = n.branch AND a.opened_run = n.opened_run WHERE 1=1",
          "n.id",
          "n.forge",
          "r.full_name",
          "n.opened_at",
          "",
          kIncidentState,
          "",
          false};
}
Expressions incidentFields() {
  return {{"id", "n.id"},
          {"forge", "n.forge"},
          {"repository", "r.full_name"},
          {"workflow", "n.workflow"},
          {"branch", "n.branch"},
          {"state", kIncidentState},
          {"opened_at", ts("n.opened_at")},
          {"opened_by_run", "n.opened_run"},
          {"resolved_at", ts("n.resolved_at")},
          {"resolved_by_run", "n.resolved_run"},
          {"failed_runs", json("n.failed_runs")},
          {"hours_to_resolve", hours("n.opened_at", "n.resolved_at")},
          {"acknowledged", "CASE WHEN a.opened_run IS NULL THEN NULL ELSE " +
                               object("'at', " + ts("a.acknowledged_at") + ", 'by', a.acknowledged_by, 'note', a.note") +
                               " END"}};
}

ResourceSql releases() {
  return {" FROM releases e" + repoJoin("e") + " WHERE 1=1",
          rowId("e"),
          "e.forge",
          "r.full_name",
          "coalesce(e.published_at, e.created_at)",
          "e.author",
          "",
          "",
          false};
}
Expressions releaseFields() {
  return {{"forge", "e.forge"},
          {"repository", "r.full_name"},
          {"release_id", "e.release_id"},
          {"tag", "e.tag"},
          {"name", "e.name"},
          {"draft", boolean("e.draft")},
          {"prerelease", boolean("e.prerelease")},
          {"author", "e.author"},
          {"created_at", ts("e.created_at")},
          {"published_at", ts("e.published_at")},
          {"deleted", boolean("e.deleted")},
          {"url", "e.url"}};
}

ResourceSql branches() {
  return {" FROM refs f" + repoJoin("f") + " WHERE 1=1", rowId("f"), "f.forge", "r.full_name", "", "", "", "", false};
}
Expressions branchFields() {
  return {{"forge", "f.forge"},
          {"repository", "r.full_name"},
          {"ref", "f.ref"},
          {"type", "f.ref_type"},
          {"sha", "f.sha"},
          {"deleted", boolean("f.deleted")},
          {"pushes", pushes("count(*)")},
          {"forced_pushes", pushes("count(*)", " AND h.forced = 1")},
          {"commits", pushes("coalesce(sum(h.commits), 0)")},
          {"last_push_at", pushes(ts("max(h.pushed_at)"))}};
}

ResourceSql milestones() {
  return {" FROM milestones m" + repoJoin("m") + " WHERE 1=1",
          rowId("m"),
          "m.forge",
          "r.full_name",
          "m.created_at",
          "",
          "m.state",
          "m.number",
          false};
}
Expressions milestoneFields() {
  return {{"forge", "m.forge"},
          {"repository", "r.full_name"},
          {"milestone_id", "m.milestone_id"},
          {"number", "m.number"},
          {"title", "m.title"},
          {"state", "m.state"},
          {"open_issues", "m.open_issues"},
          {"closed_issues", "m.closed_issues"},
          {"due_on", ts("m.due_on")},
          {"created_at", ts("m.created_at")},
          {"closed_at", ts("m.closed_at")},
          {"deleted", boolean("m.deleted")}};
}

ResourceSql deployments() {
  return {" FROM deployments d" + repoJoin("d") + " WHERE 1=1",
          rowId("d"),
          "d.forge",
          "r.full_name",
          "d.created_at",
          "d.creator",
          "",
          "",
          false};
}
Expressions deploymentFields() {
  return {{"forge", "d.forge"},
          {"repository", "r.full_name"},
          {"deployment_id", "d.deployment_id"},
          {"environment", "d.environment"},
          {"ref", "d.ref"},
          {"sha", "d.sha"},
          {"creator", "d.creator"},
          {"created_at", ts("d.created_at")},
          {"state",
           "(SELECT t.state FROM deployment_statuses t WHERE t.forge = d.forge AND t.deployment_id = d.deployment_id "
           "ORDER BY t.version DESC, " + byteOrder("t.status_id") + " DESC LIMIT 1)"},
          {"statuses",
           "(SELECT count(*) FROM deployment_statuses t WHERE t.forge = d.forge AND t.deployment_id = "
           "d.deployment_id)"}};
}

ResourceSql repositories() {
  return {" FROM repositories r WHERE 1=1", rowId("r"), "r.forge", "r.full_name", "", "", "", "", false};
}
Expressions repositoryFields() {
  return {{"forge", "r.forge"},
          {"repo_id", "r.repo_id"},
          {"full_name", "r.full_name"},
          {"private", boolean("r.private")},
          {"archived", boolean("r.archived")},
          {"deleted", boolean("r.deleted")},
          {"default_branch", "r.default_branch"},
          {"url", "r.url"}};
}

// The feed reads as a feed: newest event first, whatever order the deliveries arrived in.
ResourceSql activity() {
  return {" FROM activity y" + repoJoin("y") + " WHERE 1=1",
          "y.delivery_id",
          "y.forge",
          "coalesce(r.full_name, y.repository)",
          "y.at",
          "y.actor",
          "",
          "",
          true};
}
Expressions activityFields() {
  return {{"delivery_id", "y.delivery_id"},
          {"at", ts("y.at")},
          {"forge", "y.forge"},
          {"repository", "coalesce(r.full_name, y.repository)"},
          {"actor", "y.actor"},
          {"kind", "y.kind"},
          {"action", "y.action"},
          {"summary", "y.summary"},
          {"url", "y.url"}};
}

// Command runs keep their times in microseconds (a run takes milliseconds); the API shows seconds.
std::string micros(const std::string& column) { return "(" + column + " / 1000000)"; }

ResourceSql commands() {
  return {" FROM command_runs c WHERE 1=1", "c.id", "c.forge", "c.repository", micros("c.queued_at"), "c.rule",
          "c.status", "", false};
}
Expressions commandFields() {
  return {{"id", "c.id"},
          {"rule", "c.rule"},
          {"delivery", "c.delivery"},
          {"delivery_guid", "c.delivery_guid"},
          {"forge", "c.forge"},
          {"repository", "c.repository"},
          {"event", "c.event"},
          {"action", "c.action"},
          {"status", "c.status"},
          {"attempt", "c.attempt"},
          {"max_attempts", "c.max_attempts"},
          {"rerun_after_crash", boolean("c.crash_reruns > 0")},
          {"exit_code", "c.exit_code"},
          {"signal", "c.signal"},
          {"error", "c.error"},
          {"output_bytes", "length(c.output)"},
          {"output_truncated", boolean("c.output_truncated")},
          {"queued_at", ts(micros("c.queued_at"))},
          {"started_at", ts(micros("c.started_at"))},
          {"ended_at", ts(micros("c.ended_at"))},
          {"duration_seconds", rounded("(c.ended_at - c.started_at) / 1e6", 3)},
          {"next_attempt_at", "CASE WHEN c.status = 'retrying' THEN " + ts(micros("c.next_attempt_at")) +
                                  " END"}};
}

ResourceSql build(SqlDialect d, Resource resource) {
  dialect = d;
  std::pair<ResourceSql, Expressions> parts;
  switch (resource) {
    case Resource::Pulls:
      parts = {pulls(), pullFields()};
      break;
    case Resource::Reviews:
      parts = {reviews(), reviewFields()};
      break;
    case Resource::Issues:
      parts = {issues(), issueFields()};
      break;
    case Resource::Items:
      parts = {items(), itemFields()};
      break;
    case Resource::Runs:
      parts = {runs(), runFields()};
      break;
    case Resource::Incidents:
      parts = {incidents(), incidentFields()};
      break;
    case Resource::Releases:
      parts = {releases(), releaseFields()};
      break;
    case Resource::Branches:
      parts = {branches(), branchFields()};
      break;
    case Resource::Milestones:
      parts = {milestones(), milestoneFields()};
      break;
    case Resource::Deployments:
      parts = {deployments(), deploymentFields()};
      break;
    case Resource::Repositories:
      parts = {repositories(), repositoryFields()};
      break;
    case Resource::Activity:
      parts = {activity(), activityFields()};
      break;
    case Resource::Commands:
      parts = {commands(), commandFields()};
      break;
  }
  auto& [sql, expressions] = parts;
  const auto& spec = specOf(resource);
  std::string object;
  for (const auto field : spec.fields) {
    const auto it = expressions.find(field);
    if (it == expressions.end())
      throw std::logic_error(std::string(spec.name) + "." + std::string(field) + " has no SQL expression");
    object += object.empty() ? "" : ", ";
    object += "'" + std::string(field) + "', " + it->second;
    expressions.erase(it);
  }
  if (!expressions.empty())
    throw std::logic_error(std::string(spec.name) + "." + std::string(expressions.begin()->first) +
                           " is not a field of the catalog");
  sql.object = ::forgehook::store::object(object);
  if (const auto alias = sql.rowId.substr(0, sql.rowId.find('.')); sql.from.find(repoJoin(alias)) != std::string::npos)
    sql.repoKey = alias;
  sql.select =
      "SELECT " + sql.rowId + ", " + (sql.orderByTime ? sql.time : std::string("NULL")) + ", " + sql.object + sql.from;
  return sql;
}

}  // namespace

std::string sameName(SqlDialect d, const std::string& left, const std::string& right) {
  if (d == SqlDialect::Postgres) return "lower(" + left + ") = lower(" + right + ")";
  return left + " = " + right + " COLLATE NOCASE";
}

std::string repositoryKeyMatch(SqlDialect d, const std::string& alias, const std::string& placeholder) {
  return "(" + alias + ".forge, " + alias + ".repo_id) IN (SELECT forge, repo_id FROM repositories WHERE " +
         sameName(d, "full_name", placeholder) + ")";
}

const ResourceSql& resourceSql(SqlDialect d, Resource resource) {
  static const auto tables = [] {
    std::array<std::array<ResourceSql, kResourceCount>, 2> all;
    for (const auto each : {SqlDialect::Sqlite, SqlDialect::Postgres})
      for (const auto& spec : resourceSpecs())
        all[static_cast<std::size_t>(each)][static_cast<std::size_t>(spec.resource)] = build(each, spec.resource);
    return all;
  }();
  return tables[static_cast<std::size_t>(d)][static_cast<std::size_t>(resource)];
}

}  // namespace forgehook::store
