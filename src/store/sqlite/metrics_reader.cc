#include "store/sqlite/metrics_reader.h"

#include "store/sqlite/bound_sql.h"
#include "store/sqlite/resource_sql.h"

namespace forgehook::store::sqlite {
namespace {

std::string joinRepo(const std::string& alias) {
  return " LEFT JOIN repositories r ON r.forge = " + alias + ".forge AND r.repo_id = " + alias + ".repo_id";
}

// ?1 is the repository filter in every query that takes one. Matched through the rows' (forge,
// repo_id) key (resource_sql.h), written out only when there is one: SQLite plans
// `?1 IS NULL OR ...` once for both cases, and either way it visited every row for one repository's.
std::string scope(const RepositoryFilter& repository, const std::string& alias) {
  return repository ? repositoryKeyMatch(alias, "?1") : std::string("?1 IS NULL");
}

// `column`, kept off its indexes when a repository is given ("+column"): without statistics SQLite
// took the (state, ...) index for `state = 'open'` and looked up all 30,000 open pull requests'
// rows to keep one repository's 15, instead of reading that repository's rows off its key.
std::string unindexedIfScoped(const RepositoryFilter& repository, const std::string& column) {
  return repository ? "+" + column : column;
}

// The repository filter as ?1: NULL matches every repository.
FieldValue repo(const RepositoryFilter& repository) { return repository ? FieldValue(*repository) : FieldValue(); }

std::optional<std::int64_t> optionalInteger(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.integer(column);
}

std::string milestoneColumns(const RepositoryFilter& repository) {
  return "SELECT m.forge, m.milestone_id, r.full_name, m.title, m.state, m.number, coalesce(m.open_issues, 0), "
         "coalesce(m.closed_issues, 0), m.created_at, m.due_on, m.closed_at FROM milestones m" +
         joinRepo("m") + " WHERE " + unindexedIfScoped(repository, "m.deleted") + " = 0 AND " + scope(repository, "m");
}

MilestoneRow readMilestone(const Statement& s) {
  return {s.text(0),
          s.text(1),
          s.text(2),
          s.text(3),
          s.text(4),
          optionalInteger(s, 5),
          s.integer(6),
          s.integer(7),
          optionalInteger(s, 8),
          optionalInteger(s, 9),
          optionalInteger(s, 10)};
}

}  // namespace

core::Result<void> SqliteMetricsReader::query(const std::string& sql, std::vector<FieldValue> params,
                                              const std::function<void(const Statement&)>& row) {
  BoundSql bound{sql, std::move(params)};
  return db_.read<void>([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, bound.sql);
    bound.bindTo(s);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) row(s);
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return {};
  });
}

template <typename Row>
core::Result<std::vector<Row>> SqliteMetricsReader::rows(const std::string& sql, std::vector<FieldValue> params,
                                                         Row (*read)(const Statement&)) {
  std::vector<Row> out;
  auto done = query(sql, std::move(params), [&](const Statement& s) { out.push_back(read(s)); });
  if (!done) return std::unexpected(done.error());
  return out;
}

core::Result<StatusCounts> SqliteMetricsReader::statusCounts(const RepositoryFilter& repository,
                                                             std::int64_t sinceMicros) {
  const std::string deliveryRepoMatch = repository ? "repository = ?1 COLLATE NOCASE" : "?1 IS NULL";
  const std::string sql =
      "SELECT (SELECT count(*) FROM issues s WHERE " + unindexedIfScoped(repository, "s.state") +
      " = 'open' AND " + scope(repository, "s") + "), (SELECT count(*) FROM pulls p WHERE " +
      unindexedIfScoped(repository, "p.state") + " = 'open' AND p.stub = 0 AND " + scope(repository, "p") +
      "), (SELECT count(*) FROM incidents n WHERE n.resolved_at IS NULL AND " + scope(repository, "n") +
      "), (SELECT max(received_at) FROM deliveries WHERE " + deliveryRepoMatch +
      "), (SELECT count(*) FROM deliveries WHERE received_at >= ?2 AND " + deliveryRepoMatch +
      "), (SELECT count(*) FROM deliveries WHERE received_at >= ?2 AND status IN ('retrying', 'dead') AND " +
      deliveryRepoMatch +
      // The backlog includes what a rebuild (or a replay of everything) has still to queue: it queues
      // a chunk at a time, and a backlog of one chunk would say it is nearly done from the start.
      "), (SELECT count(*) FROM deliveries WHERE status IN ('queued', 'retrying')) + coalesce((SELECT last_id - "
      "queued_through FROM rebuild_progress), 0), (SELECT count(*) FROM deliveries "
      "WHERE status = 'dead'), (SELECT count(*) FROM milestones m WHERE " + unindexedIfScoped(repository, "m.deleted") +
      " = 0 AND " +
      scope(repository, "m") + ")";
  StatusCounts c;
  auto done = query(sql, {repo(repository), sinceMicros}, [&](const Statement& s) {
    c = {s.integer(0), s.integer(1), s.integer(2), optionalInteger(s, 3), s.integer(4),
         s.integer(5),  s.integer(6), s.integer(7), s.integer(8)};
  });
  if (!done) return std::unexpected(done.error());
  return c;
}

core::Result<std::vector<MilestoneRow>> SqliteMetricsReader::milestones(const RepositoryFilter& repository,
                                                                        int limit) {
  // Index milestones_board (migration 14) holds this order: the first `limit` are read, not sorted.
  return rows(milestoneColumns(repository) +
                  " ORDER BY " + unindexedIfScoped(repository, "m.state") +
                  " IS NOT 'open', m.due_on IS NULL, m.due_on, m.title LIMIT " + std::to_string(limit),
              {repo(repository)}, readMilestone);
}

core::Result<std::vector<MilestoneRow>> SqliteMetricsReader::milestonesTitled(const RepositoryFilter& repository,
                                                                              const std::string& title) {
  return rows(milestoneColumns(repository) + " AND m.title = ?2 ORDER BY r.full_name", {repo(repository), title},
              readMilestone);
}

core::Result<std::vector<MilestoneRow>> SqliteMetricsReader::closedMilestones(const RepositoryFilter& repository) {
  return rows(milestoneColumns(repository) + " AND m.state = 'closed' ORDER BY m.closed_at DESC LIMIT 10",
              {repo(repository)}, readMilestone);
}

core::Result<std::vector<PullTiming>> SqliteMetricsReader::pullTimings(const RepositoryFilter& repository,
                                                                       std::int64_t since, std::int64_t until) {
  // Only pull requests with something in the window can count: created, merged or closed in it, or
  // reviewed in it (their first review may be). The candidates come off four indexes (migration 13),
  // so the cost follows the window's pull requests, not all of them; the outer WHERE decides.
  const std::string sql =
      "WITH candidates (forge, repo_id, number) AS ("
      "SELECT forge, repo_id, number FROM pulls WHERE created_at >= ?2 AND created_at < ?3 "
      "UNION SELECT forge, repo_id, number FROM pulls WHERE merged_at >= ?2 AND merged_at < ?3 "
      "UNION SELECT forge, repo_id, number FROM pulls WHERE closed_at >= ?2 AND closed_at < ?3 "
      "UNION SELECT forge, repo_id, pr_number FROM reviews WHERE submitted_at >= ?2 AND submitted_at < ?3) "
      "SELECT created_at, merged_at, closed_at, first_review_at, state, is_revert, is_hotfix FROM (SELECT "
      "p.created_at, p.merged_at, p.closed_at, p.state, p.is_revert, p.is_hotfix, (SELECT min(v.submitted_at) FROM "
      "reviews v WHERE v.forge = p.forge AND v.repo_id = p.repo_id AND v.pr_number = p.number AND v.reviewer IS NOT "
      "p.author AND v.state != 'pending') AS first_review_at FROM candidates c JOIN pulls p ON p.forge = c.forge AND "
      "p.repo_id = c.repo_id AND p.number = c.number WHERE p.stub = 0 AND p.created_at IS NOT NULL AND " +
      scope(repository, "p") +
      " AND p.created_at < ?3) WHERE created_at >= ?2 OR (merged_at >= ?2 AND merged_at < ?3) OR (closed_at >= ?2 AND "
      "closed_at < ?3) OR (first_review_at >= ?2 AND first_review_at < ?3)";
  std::vector<PullTiming> rows;
  auto done = query(sql, {repo(repository), since, until}, [&](const Statement& s) {
    rows.push_back({s.integer(0), optionalInteger(s, 1), optionalInteger(s, 2), optionalInteger(s, 3), s.text(4),
                    s.integer(5) == 1, s.integer(6) == 1});
  });
  if (!done) return std::unexpected(done.error());
  return rows;
}

core::Result<std::vector<SprintIssue>> SqliteMetricsReader::milestoneIssues(const MilestoneRow& milestone) {
  // By the milestone's id, not its title: a renamed milestone keeps its issues.
  const std::string sql =
      "SELECT s.number, s.state, s.created_at, s.closed_at FROM issues s WHERE s.forge = ?1 AND s.milestone_id = ?2 "
      "AND s.state != 'deleted'";
  return rows(
      sql, {milestone.forge, milestone.milestoneId}, +[](const Statement& s) {
        return SprintIssue{s.integer(0), s.text(1), optionalInteger(s, 2), optionalInteger(s, 3)};
      });
}

core::Result<HealthCounts> SqliteMetricsReader::healthCounts(const HealthQuery& q) {
  const std::string runs =
      "FROM runs u WHERE u.kind IN ('workflow_run', 'pipeline') AND u.status = 'completed' AND " +
      unindexedIfScoped(q.repository, "u.completed_at") + " >= ?5 AND " +
      scope(q.repository, "u");
  const std::string resolved = "FROM incidents n WHERE n.resolved_at IS NOT NULL AND " + scope(q.repository, "n");
  const std::string sql = "SELECT (SELECT count(*) FROM pulls p WHERE " +
                          unindexedIfScoped(q.repository, "p.state") +
                          " = 'open' AND p.stub = 0 AND p.updated_at < ?2 - ?3 AND " + scope(q.repository, "p") +
                          "), (SELECT count(*) FROM issues s WHERE " + unindexedIfScoped(q.repository, "s.state") +
                          " = 'open' AND s.updated_at < ?2 - ?4 AND " +
                          scope(q.repository, "s") +
                          "), (SELECT count(*) " + runs + "), (SELECT count(*) " + runs +
                          " AND u.conclusion IN ('failure', 'timed_out', 'startup_failure')), (SELECT count(*) " +
                          resolved + "), (SELECT round(avg(n.resolved_at - n.opened_at) / 3600.0, 2) " + resolved + ")";
  HealthCounts h;
  auto done = query(sql, {repo(q.repository), q.now, q.stalePullSeconds, q.staleIssueSeconds, q.ciSince},
                    [&](const Statement& s) {
                      h = {s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4), std::nullopt};
                      if (!s.isNull(5)) h.meanHoursToResolve = s.real(5);
                    });
  if (!done) return std::unexpected(done.error());
  return h;
}

}  // namespace forgehook::store::sqlite
