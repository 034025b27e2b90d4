// SqliteStore: the named read-only queries behind /api/v1/metrics/* (store.h, aggregate()). Each
// returns one JSON object per row; the API layer does the arithmetic that SQL says poorly
// (medians, percentiles, weekly buckets, projections). `?1` is always the repository filter
// (NULL = all repositories).
#include <map>

#include "store/sqlite/bound_sql.h"
#include "store/sqlite/writer.h"

namespace forgehook::store::sqlite {
namespace {

const char* const kRepoMatch = "(?1 IS NULL OR r.full_name = ?1)";

const std::map<std::string, std::string, std::less<>>& queries() {
  static const std::map<std::string, std::string, std::less<>> table = {
      // ?2: start of the last 24 h in Unix microseconds.
      {"status",
       std::string("SELECT json_object("
                   "'open_issues', (SELECT count(*) FROM issues s LEFT JOIN repositories r ON r.forge = s.forge AND "
                   "r.repo_id = s.repo_id WHERE s.state = 'open' AND ") +
           kRepoMatch +
           "), "
           "'open_pulls', (SELECT count(*) FROM pulls p LEFT JOIN repositories r ON r.forge = p.forge AND "
           "r.repo_id = p.repo_id WHERE p.state = 'open' AND p.stub = 0 AND " +
           kRepoMatch +
           "), "
           "'incidents_open', (SELECT count(*) FROM incidents n LEFT JOIN repositories r ON r.forge = n.forge AND "
           "r.repo_id = n.repo_id WHERE n.resolved_at IS NULL AND " +
           kRepoMatch +
           "), "
           "'last_delivery_at', (SELECT max(received_at) FROM deliveries WHERE ?1 IS NULL OR repository = ?1), "
           "'deliveries_24h', (SELECT count(*) FROM deliveries WHERE received_at >= ?2 AND (?1 IS NULL OR "
           "repository = ?1)), "
           "'failures_24h', (SELECT count(*) FROM deliveries WHERE received_at >= ?2 AND status IN ('retrying', "
           "'dead') AND (?1 IS NULL OR repository = ?1)), "
           "'queued', (SELECT count(*) FROM deliveries WHERE status IN ('queued', 'retrying')), "
           "'dead', (SELECT count(*) FROM deliveries WHERE status = 'dead'))"},
      {"milestones",
       std::string(
           "SELECT json_object('repository', r.full_name, 'title', m.title, 'number', m.number, 'state', m.state, "
           "'open_issues', m.open_issues, 'closed_issues', m.closed_issues, 'due_on', m.due_on) FROM milestones m "
           "LEFT JOIN repositories r ON r.forge = m.forge AND r.repo_id = m.repo_id WHERE m.deleted = 0 AND ") +
           kRepoMatch + " ORDER BY m.due_on IS NULL, m.due_on, m.title"},
      // ?2, ?3: a time range in Unix seconds. Pull requests created before its end with anything
      // (opened, merged, closed, first review) inside it.
      {"pulls",
       std::string(
           "SELECT json_object('created_at', created_at, 'merged_at', merged_at, 'closed_at', closed_at, "
           "'state', state, 'is_revert', is_revert, 'is_hotfix', is_hotfix, 'first_review_at', first_review_at) "
           "FROM (SELECT p.created_at, p.merged_at, p.closed_at, p.state, p.is_revert, p.is_hotfix, (SELECT "
           "min(v.submitted_at) FROM reviews v WHERE v.forge = p.forge AND v.repo_id = p.repo_id AND v.pr_number "
           "= p.number AND v.reviewer IS NOT p.author AND v.state != 'pending') AS first_review_at FROM pulls p "
           "LEFT JOIN repositories r ON r.forge = p.forge AND r.repo_id = p.repo_id WHERE p.stub = 0 AND ") +
           kRepoMatch +
           " AND p.created_at < ?3) WHERE created_at >= ?2 OR merged_at >= ?2 OR closed_at >= ?2 OR "
           "first_review_at >= ?2"},
      // ?2: milestone title. Issues in that milestone.
      {"sprint_issues",
       std::string("SELECT json_object('number', s.number, 'state', s.state, 'created_at', s.created_at, 'closed_at', "
                   "s.closed_at) FROM issues s LEFT JOIN repositories r ON r.forge = s.forge AND r.repo_id = s.repo_id "
                   "WHERE s.milestone = ?2 AND ") +
           kRepoMatch},
      {"sprint_milestone",
       std::string(
           "SELECT json_object('title', m.title, 'state', m.state, 'created_at', m.created_at, 'due_on', m.due_on, "
           "'closed_at', m.closed_at, 'open_issues', m.open_issues, 'closed_issues', m.closed_issues) FROM "
           "milestones m LEFT JOIN repositories r ON r.forge = m.forge AND r.repo_id = m.repo_id WHERE m.title = "
           "?2 AND m.deleted = 0 AND ") +
           kRepoMatch + " LIMIT 1"},
      // Closed milestones, newest first: velocity.
      {"velocity",
       std::string(
           "SELECT json_object('title', m.title, 'closed_at', m.closed_at, 'closed_issues', m.closed_issues) FROM "
           "milestones m LEFT JOIN repositories r ON r.forge = m.forge AND r.repo_id = m.repo_id WHERE m.state = "
           "'closed' AND m.deleted = 0 AND ") +
           kRepoMatch + " ORDER BY m.closed_at DESC LIMIT 10"},
      // ?2: now (Unix seconds), ?3: stale pull age, ?4: stale issue age, ?5: CI window start.
      {"health",
       std::string("SELECT json_object("
                   "'stale_pulls', (SELECT count(*) FROM pulls p LEFT JOIN repositories r ON r.forge = p.forge AND "
                   "r.repo_id = p.repo_id WHERE p.state = 'open' AND p.stub = 0 AND p.updated_at < ?2 - ?3 AND ") +
           kRepoMatch +
           "), 'stale_issues', (SELECT count(*) FROM issues s LEFT JOIN repositories r ON r.forge = "
           "s.forge AND r.repo_id = s.repo_id WHERE s.state = 'open' AND s.updated_at < ?2 - ?4 AND " +
           kRepoMatch +
           "), 'runs_completed', (SELECT count(*) FROM runs u LEFT JOIN repositories r ON r.forge = "
           "u.forge AND r.repo_id = u.repo_id WHERE u.kind IN ('workflow_run', 'pipeline') AND u.status = "
           "'completed' AND u.completed_at >= ?5 AND " +
           kRepoMatch +
           "), 'runs_failed', (SELECT count(*) FROM runs u LEFT JOIN repositories r ON r.forge = "
           "u.forge AND r.repo_id = u.repo_id WHERE u.kind IN ('workflow_run', 'pipeline') AND u.status = "
           "'completed' AND u.conclusion IN ('failure', 'timed_out', 'startup_failure') AND u.completed_at "
           ">= ?5 AND " +
           kRepoMatch +
           "), 'incidents_resolved', (SELECT count(*) FROM incidents n LEFT JOIN repositories r ON "
           "r.forge = n.forge AND r.repo_id = n.repo_id WHERE n.resolved_at IS NOT NULL AND " +
           kRepoMatch +
           "), 'mean_hours_to_resolve', (SELECT round(avg(n.resolved_at - n.opened_at) / 3600.0, 2) FROM "
           "incidents n LEFT JOIN repositories r ON r.forge = n.forge AND r.repo_id = n.repo_id WHERE "
           "n.resolved_at IS NOT NULL AND " +
           kRepoMatch + "))"},
  };
  return table;
}

}  // namespace

core::Result<std::vector<std::string>> SqliteStore::aggregate(const std::string& name,
                                                              const std::vector<FieldValue>& params) {
  const auto it = queries().find(name);
  if (it == queries().end())
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "no aggregate named " + name));
  try {
    auto reader = leaseReader();
    Statement s(reader.get(), it->second);
    BoundSql{"", params}.bindTo(s);
    std::vector<std::string> rows;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) rows.push_back(s.text(0));
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return rows;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

}  // namespace forgehook::store::sqlite
