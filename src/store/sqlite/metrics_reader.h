#pragma once
// The metrics queries on SQLite, read on pooled read connections. Thread-safe.
#include "store/activity.h"
#include "store/metrics_reader.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteMetricsReader final : public MetricsReader {
 public:
  explicit SqliteMetricsReader(Database& db) : db_(db) {}

  core::Result<StatusCounts> statusCounts(const RepositoryFilter& repository, std::int64_t sinceMicros) override;
  core::Result<std::vector<MilestoneRow>> milestones(const RepositoryFilter& repository, int limit) override;
  core::Result<std::vector<PullTiming>> pullTimings(const RepositoryFilter& repository, std::int64_t since,
                                                    std::int64_t until) override;
  core::Result<std::vector<MilestoneRow>> milestonesTitled(const RepositoryFilter& repository,
                                                           const std::string& title) override;
  core::Result<std::vector<SprintIssue>> milestoneIssues(const MilestoneRow& milestone) override;
  core::Result<std::vector<MilestoneRow>> closedMilestones(const RepositoryFilter& repository) override;
  core::Result<HealthCounts> healthCounts(const HealthQuery& query) override;

 private:
  // Runs `sql` with `params` bound to ?1, ?2, ...; calls `row` per row.
  core::Result<void> query(const std::string& sql, std::vector<FieldValue> params,
                           const std::function<void(const Statement&)>& row);
  // query() collecting `read(statement)` of every row.
  template <typename Row>
  core::Result<std::vector<Row>> rows(const std::string& sql, std::vector<FieldValue> params,
                                      Row (*read)(const Statement&));
  Database& db_;
};

}  // namespace forgehook::store::sqlite
