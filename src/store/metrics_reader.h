#pragma once
// The read-only queries behind /api/v1/metrics/*, one call and one row type each. The store
// counts and selects; the API does the arithmetic SQL says poorly (medians, percentiles, weekly
// buckets, burndown, projections). Every query takes an optional repository ("owner/name", matched
// as the forge does, case-insensitively); none means all repositories. Times are Unix seconds
// unless a name says otherwise. Implementations are thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace forgehook::store {

using RepositoryFilter = std::optional<std::string>;

struct StatusCounts {
  std::int64_t openIssues = 0, openPulls = 0, incidentsOpen = 0;
  std::optional<std::int64_t> lastDeliveryMicros;
  std::int64_t deliveries24h = 0, failures24h = 0;  // received since `sinceMicros`
  // Processing backlog (queued + retrying, and what a rebuild has still to queue), dead letter.
  std::int64_t queued = 0, dead = 0;
  std::int64_t milestones = 0;                      // not deleted
};

struct MilestoneRow {
  std::string forge, milestoneId;  // the milestone's identity (a title may repeat across repositories)
  std::string repository, title, state;
  std::optional<std::int64_t> number;
  std::int64_t openIssues = 0, closedIssues = 0;
  std::optional<std::int64_t> createdAt, dueOn, closedAt;
};

// A pull request's life, for cycle time, review time and merge rate.
struct PullTiming {
  std::int64_t createdAt = 0;
  std::optional<std::int64_t> mergedAt, closedAt, firstReviewAt;
  std::string state;
  bool isRevert = false, isHotfix = false;
};

struct SprintIssue {
  std::int64_t number = 0;
  std::string state;
  std::optional<std::int64_t> createdAt, closedAt;
};

struct HealthQuery {
  RepositoryFilter repository;
  std::int64_t now = 0;
  std::int64_t stalePullSeconds = 0, staleIssueSeconds = 0;
  std::int64_t ciSince = 0;
};

struct HealthCounts {
  std::int64_t stalePulls = 0, staleIssues = 0, runsCompleted = 0, runsFailed = 0, incidentsResolved = 0;
  std::optional<double> meanHoursToResolve;
};

class MetricsReader {
 public:
  virtual ~MetricsReader() = default;

  // Errors of every call: Unavailable.
  [[nodiscard]] virtual core::Result<StatusCounts> statusCounts(const RepositoryFilter& repository,
                                                                std::int64_t sinceMicros) = 0;
  // The first `limit` milestones not deleted: open ones first, then by due date (none last), then title.
  [[nodiscard]] virtual core::Result<std::vector<MilestoneRow>> milestones(const RepositoryFilter& repository,
                                                                           int limit) = 0;
  // Pull requests (not stubs) created before `until` with anything (opened, merged, closed, first
  // review) in [since, until).
  [[nodiscard]] virtual core::Result<std::vector<PullTiming>> pullTimings(const RepositoryFilter& repository,
                                                                          std::int64_t since, std::int64_t until) = 0;
  // The milestones titled `title` (several when several repositories have one), not deleted.
  [[nodiscard]] virtual core::Result<std::vector<MilestoneRow>> milestonesTitled(const RepositoryFilter& repository,
                                                                                 const std::string& title) = 0;
  // The issues of `milestone` (by its id, so a renamed milestone keeps them), deleted ones left out.
  [[nodiscard]] virtual core::Result<std::vector<SprintIssue>> milestoneIssues(const MilestoneRow& milestone) = 0;
  // The last ten closed milestones, newest first.
  [[nodiscard]] virtual core::Result<std::vector<MilestoneRow>> closedMilestones(
      const RepositoryFilter& repository) = 0;
  [[nodiscard]] virtual core::Result<HealthCounts> healthCounts(const HealthQuery& query) = 0;
};

}  // namespace forgehook::store
