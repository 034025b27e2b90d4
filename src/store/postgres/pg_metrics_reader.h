#pragma once
// The metrics queries (store/metrics_reader.h) on PostgreSQL: the SQLite store's queries in
// PostgreSQL's SQL, ordered as SQLite orders (byte order for text, NULL below every value), so
// both backends answer alike. Each call is one statement on a pooled connection. Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "store/metrics_reader.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgMetricsReader final : public MetricsReader {
 public:
  explicit PgMetricsReader(PgPool& pool) : pool_(pool) {}

  [[nodiscard]] core::Result<StatusCounts> statusCounts(const RepositoryFilter& repository,
                                                        std::int64_t sinceMicros) override;
  [[nodiscard]] core::Result<std::vector<MilestoneRow>> milestones(const RepositoryFilter& repository,
                                                                   int limit) override;
  [[nodiscard]] core::Result<std::vector<PullTiming>> pullTimings(const RepositoryFilter& repository,
                                                                  std::int64_t since, std::int64_t until) override;
  [[nodiscard]] core::Result<std::vector<MilestoneRow>> milestonesTitled(const RepositoryFilter& repository,
                                                                         const std::string& title) override;
  [[nodiscard]] core::Result<std::vector<SprintIssue>> milestoneIssues(const MilestoneRow& milestone) override;
  [[nodiscard]] core::Result<std::vector<MilestoneRow>> closedMilestones(const RepositoryFilter& repository) override;
  [[nodiscard]] core::Result<HealthCounts> healthCounts(const HealthQuery& query) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
