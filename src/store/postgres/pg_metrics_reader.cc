#include "store/postgres/pg_metrics_reader.h"

#include <charconv>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "store/resource_sql.h"

namespace forgehook::store::postgres {
namespace {

std::string joinRepo(const std::string& alias) {
  return " LEFT JOIN repositories r ON r.forge = " + alias + ".forge AND r.repo_id = " + alias + ".repo_id";
}

// $1 is the repository filter in every query that takes one, as ?1 in the SQLite store, matched
// through the rows' (forge, repo_id) key (resource_sql.h). Without one it is a typed NULL: libpq
// sends parameters untyped, and the server refuses one it cannot type.
std::string scope(const RepositoryFilter& repository, const std::string& alias) {
  return repository ? repositoryKeyMatch(SqlDialect::Postgres, alias, "$1") : std::string("$1::text IS NULL");
}

PgParam repo(const RepositoryFilter& repository) {
  return repository ? PgParam(*repository) : PgParam(std::nullopt);
}

std::optional<std::int64_t> optionalInteger(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.integer(row, column);
}

// Throws std::runtime_error when the value is not a number (a bug in the query, not input).
double real(const PgResult& r, int row, int column) {
  const std::string value = r.text(row, column);
  double out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || end != value.data() + value.size())
    throw std::runtime_error("PostgreSQL returned \"" + value + "\" where a number was expected");
  return out;
}

std::string milestoneColumns(const RepositoryFilter& repository) {
  return "SELECT m.forge, m.milestone_id, r.full_name, m.title, m.state, m.number, coalesce(m.open_issues, 0), "
         "coalesce(m.closed_issues, 0), m.created_at, m.due_on, m.closed_at FROM milestones m" +
         joinRepo("m") + " WHERE m.deleted = 0 AND " + scope(repository, "m");
}

// Runs `sql` and returns `read(rows)`. An exception (a value that does not parse) is Unavailable
// "store_unavailable", as in the SQLite store's reads.
template <class Read>
auto query(PgPool& pool, const std::string& sql, const std::vector<PgParam>& params, Read&& read)
    -> core::Result<std::invoke_result_t<Read&, const PgResult&>> {
  try {
    auto rows = pool.exec(sql, params);
    if (!rows) return std::unexpected(rows.error());
    return read(*rows);
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

std::vector<MilestoneRow> readMilestones(const PgResult& r) {
  std::vector<MilestoneRow> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), optionalInteger(r, i, 5),
                   r.integer(i, 6), r.integer(i, 7), optionalInteger(r, i, 8), optionalInteger(r, i, 9),
                   optionalInteger(r, i, 10)});
  return out;
}

}  // namespace

core::Result<StatusCounts> PgMetricsReader::statusCounts(const RepositoryFilter& repository,
                                                         std::int64_t sinceMicros) {
  // As the forges compare names (index deliveries_repository).
  const std::string deliveryRepoMatch =
      repository ? "lower(repository) = lower($1)" : std::string("$1::text IS NULL");
  const std::string sql =
      "SELECT (SELECT count(*) FROM issues s WHERE s.state = 'open' AND " + scope(repository, "s") +
      "), (SELECT count(*) FROM pulls p WHERE p.state = 'open' AND p.stub = 0 AND " + scope(repository, "p") +
      "), (SELECT count(*) FROM incidents n WHERE n.resolved_at IS NULL AND " + scope(repository, "n") +
      "), (SELECT max(received_at) FROM deliveries WHERE " + deliveryRepoMatch +
      "), (SELECT count(*) FROM deliveries WHERE received_at >= $2 AND " + deliveryRepoMatch +
      "), (SELECT count(*) FROM deliveries WHERE received_at >= $2 AND status IN ('retrying', 'dead') AND " +
      deliveryRepoMatch +
      // The backlog includes what a rebuild (or a replay of everything) has still to queue: it queues
      // a chunk at a time, and a backlog of one chunk would say it is nearly done from the start.
      "), (SELECT count(*) FROM deliveries WHERE status IN ('queued', 'retrying')) + coalesce((SELECT last_id - "
      "queued_through FROM rebuild_progress), 0), (SELECT count(*) FROM deliveries WHERE status = 'dead'), "
      "(SELECT count(*) FROM milestones m WHERE m.deleted = 0 AND " + scope(repository, "m") + ")";
  return query(pool_, sql, {repo(repository), std::to_string(sinceMicros)}, [](const PgResult& r) {
    return StatusCounts{r.integer(0, 0), r.integer(0, 1), r.integer(0, 2), optionalInteger(r, 0, 3), r.integer(0, 4),
                        r.integer(0, 5), r.integer(0, 6), r.integer(0, 7), r.integer(0, 8)};
  });
}

core::Result<std::vector<MilestoneRow>> PgMetricsReader::milestones(const RepositoryFilter& repository, int limit) {
  // SQLite's order: false before true, NULL titles first, titles by their bytes. A negative limit
  // is none, as SQLite reads it.
  return query(pool_,
               milestoneColumns(repository) +
                   " ORDER BY m.state IS DISTINCT FROM 'open', m.due_on IS NULL, m.due_on, m.title COLLATE \"C\" "
                   "NULLS FIRST LIMIT " +
                   (limit < 0 ? std::string("ALL") : std::to_string(limit)),
               {repo(repository)}, readMilestones);
}

core::Result<std::vector<MilestoneRow>> PgMetricsReader::milestonesTitled(const RepositoryFilter& repository,
                                                                          const std::string& title) {
  return query(pool_, milestoneColumns(repository) + " AND m.title = $2 ORDER BY r.full_name COLLATE \"C\" NULLS FIRST",
               {repo(repository), title}, readMilestones);
}

core::Result<std::vector<MilestoneRow>> PgMetricsReader::closedMilestones(const RepositoryFilter& repository) {
  // NULLS LAST: SQLite's NULL is below every value, so last when descending (PostgreSQL's is above).
  return query(pool_,
               milestoneColumns(repository) + " AND m.state = 'closed' ORDER BY m.closed_at DESC NULLS LAST LIMIT 10",
               {repo(repository)}, readMilestones);
}

core::Result<std::vector<PullTiming>> PgMetricsReader::pullTimings(const RepositoryFilter& repository,
                                                                   std::int64_t since, std::int64_t until) {
  // Only pull requests with something in the window can count: created, merged or closed in it, or
  // reviewed in it (their first review may be). The candidates come off four indexes, so the cost
  // follows the window's pull requests, not all of them; the outer WHERE decides.
  const std::string sql =
      "WITH candidates (forge, repo_id, number) AS ("
      "SELECT forge, repo_id, number FROM pulls WHERE created_at >= $2 AND created_at < $3 "
      "UNION SELECT forge, repo_id, number FROM pulls WHERE merged_at >= $2 AND merged_at < $3 "
      "UNION SELECT forge, repo_id, number FROM pulls WHERE closed_at >= $2 AND closed_at < $3 "
      "UNION SELECT forge, repo_id, pr_number FROM reviews WHERE submitted_at >= $2 AND submitted_at < $3) "
      "SELECT created_at, merged_at, closed_at, first_review_at, state, is_revert, is_hotfix FROM (SELECT "
      "p.created_at, p.merged_at, p.closed_at, p.state, coalesce(p.is_revert, 0) AS is_revert, "
      "coalesce(p.is_hotfix, 0) AS is_hotfix, (SELECT min(v.submitted_at) FROM reviews v WHERE v.forge = p.forge AND "
      "v.repo_id = p.repo_id AND v.pr_number = p.number AND v.reviewer IS DISTINCT FROM p.author AND v.state != "
      "'pending') AS first_review_at FROM candidates c JOIN pulls p ON p.forge = c.forge AND p.repo_id = c.repo_id "
      "AND p.number = c.number WHERE p.stub = 0 AND p.created_at IS NOT NULL AND " +
      scope(repository, "p") +
      " AND p.created_at < $3) AS window_pulls WHERE created_at >= $2 OR (merged_at >= $2 AND merged_at < $3) OR "
      "(closed_at >= $2 AND closed_at < $3) OR (first_review_at >= $2 AND first_review_at < $3)";
  return query(pool_, sql, {repo(repository), std::to_string(since), std::to_string(until)}, [](const PgResult& r) {
    std::vector<PullTiming> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.integer(i, 0), optionalInteger(r, i, 1), optionalInteger(r, i, 2), optionalInteger(r, i, 3),
                     r.text(i, 4), r.integer(i, 5) == 1, r.integer(i, 6) == 1});
    return out;
  });
}

core::Result<std::vector<SprintIssue>> PgMetricsReader::milestoneIssues(const MilestoneRow& milestone) {
  // By the milestone's id, not its title: a renamed milestone keeps its issues.
  return query(pool_,
               "SELECT s.number, s.state, s.created_at, s.closed_at FROM issues s WHERE s.forge = $1 AND "
               "s.milestone_id = $2 AND s.state != 'deleted'",
               {milestone.forge, milestone.milestoneId}, [](const PgResult& r) {
                 std::vector<SprintIssue> out;
                 for (int i = 0; i < r.rows(); ++i)
                   out.push_back({r.integer(i, 0), r.text(i, 1), optionalInteger(r, i, 2), optionalInteger(r, i, 3)});
                 return out;
               });
}

core::Result<HealthCounts> PgMetricsReader::healthCounts(const HealthQuery& q) {
  const std::string runs =
      "FROM runs u WHERE u.kind IN ('workflow_run', 'pipeline') AND u.status = 'completed' AND u.completed_at >= $5 "
      "AND " + scope(q.repository, "u");
  const std::string resolved = "FROM incidents n WHERE n.resolved_at IS NOT NULL AND " + scope(q.repository, "n");
  // $2 - $3 typed: the server cannot type a difference of two untyped parameters.
  const std::string sql =
      "SELECT (SELECT count(*) FROM pulls p WHERE p.state = 'open' AND p.stub = 0 AND p.updated_at < $2::bigint - "
      "$3::bigint AND " + scope(q.repository, "p") +
      "), (SELECT count(*) FROM issues s WHERE s.state = 'open' AND s.updated_at < $2::bigint - $4::bigint AND " +
      scope(q.repository, "s") + "), (SELECT count(*) " + runs + "), (SELECT count(*) " + runs +
      " AND u.conclusion IN ('failure', 'timed_out', 'startup_failure')), (SELECT count(*) " + resolved +
      "), (SELECT round(avg(n.resolved_at - n.opened_at) / 3600.0, 2)::float8 " + resolved + ")";
  return query(pool_, sql,
               {repo(q.repository), std::to_string(q.now), std::to_string(q.stalePullSeconds),
                std::to_string(q.staleIssueSeconds), std::to_string(q.ciSince)},
               [](const PgResult& r) {
                 HealthCounts h{r.integer(0, 0), r.integer(0, 1), r.integer(0, 2), r.integer(0, 3), r.integer(0, 4),
                                std::nullopt};
                 if (!r.isNull(0, 5)) h.meanHoursToResolve = real(r, 0, 5);
                 return h;
               });
}

}  // namespace forgehook::store::postgres
