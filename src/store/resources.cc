#include "store/resources.h"

#include <array>

namespace forgehook::store {
namespace {

using namespace std::string_view_literals;

// One line per list reads as a table.
// clang-format off
// pulls
constexpr std::array kPullsStates{"open"sv, "closed"sv, "merged"sv};
constexpr std::array kPullsFields{"forge"sv, "repository"sv, "number"sv, "title"sv, "state"sv, "draft"sv, "author"sv, "base"sv, "head"sv, "labels"sv, "created_at"sv, "updated_at"sv, "merged_at"sv, "closed_at"sv, "additions"sv, "deletions"sv, "changed_files"sv, "cycle_time_hours"sv, "first_review_at"sv, "review_time_hours"sv, "is_revert"sv, "is_hotfix"sv, "comments"sv, "stub"sv, "url"sv};
constexpr std::array kPullsColumns{"repository"sv, "number"sv, "state"sv, "author"sv, "title"sv, "cycle_time_hours"sv, "review_time_hours"sv};
// reviews
constexpr std::array kReviewsStates{"approved"sv, "changes_requested"sv, "commented"sv, "dismissed"sv, "pending"sv};
constexpr std::array kReviewsFields{"forge"sv, "repository"sv, "pull_number"sv, "review_id"sv, "reviewer"sv, "state"sv, "submitted_at"sv, "url"sv};
constexpr std::array kReviewsColumns{"repository"sv, "pull_number"sv, "reviewer"sv, "state"sv, "submitted_at"sv};
// issues
constexpr std::array kIssuesStates{"open"sv, "closed"sv, "deleted"sv};
constexpr std::array kIssuesFields{"forge"sv, "repository"sv, "number"sv, "title"sv, "state"sv, "state_reason"sv, "author"sv, "labels"sv, "assignees"sv, "milestone"sv, "created_at"sv, "updated_at"sv, "closed_at"sv, "comments"sv, "url"sv};
constexpr std::array kIssuesColumns{"repository"sv, "number"sv, "state"sv, "state_reason"sv, "title"sv, "labels"sv, "comments"sv};
// items
constexpr std::array kItemsStates{"planned"sv, "in_progress"sv, "completed"sv, "not_planned"sv, "blocked"sv};
constexpr std::array kItemsFields{"id"sv, "title"sv, "description"sv, "owner"sv, "status"sv, "manual_status"sv, "tags"sv, "labels"sv, "due_on"sv, "completed_at"sv, "issue"sv, "created_at"sv, "updated_at"sv};
constexpr std::array kItemsColumns{"id"sv, "status"sv, "title"sv, "owner"sv, "tags"sv, "labels"sv, "completed_at"sv, "issue"sv};
// runs
constexpr std::array kRunsStates{"queued"sv, "in_progress"sv, "waiting"sv, "requested"sv, "pending"sv, "completed"sv, "success"sv, "failure"sv, "neutral"sv, "cancelled"sv, "skipped"sv, "timed_out"sv, "action_required"sv, "stale"sv, "startup_failure"sv};
constexpr std::array kRunsFields{"forge"sv, "repository"sv, "kind"sv, "run_id"sv, "attempt"sv, "workflow"sv, "name"sv, "branch"sv, "sha"sv, "event"sv, "status"sv, "conclusion"sv, "started_at"sv, "completed_at"sv, "duration_seconds"sv, "url"sv};
constexpr std::array kRunsColumns{"repository"sv, "workflow"sv, "branch"sv, "run_id"sv, "attempt"sv, "status"sv, "conclusion"sv, "duration_seconds"sv};
// incidents
constexpr std::array kIncidentsStates{"open"sv, "resolved"sv};
constexpr std::array kIncidentsFields{"id"sv, "forge"sv, "repository"sv, "workflow"sv, "branch"sv, "state"sv, "opened_at"sv, "opened_by_run"sv, "resolved_at"sv, "resolved_by_run"sv, "failed_runs"sv, "hours_to_resolve"sv, "acknowledged"sv};
constexpr std::array kIncidentsColumns{"id"sv, "repository"sv, "workflow"sv, "branch"sv, "state"sv, "opened_at"sv, "resolved_at"sv, "failed_runs"sv};
// releases
constexpr std::span<const std::string_view> kReleasesStates{};
constexpr std::array kReleasesFields{"forge"sv, "repository"sv, "release_id"sv, "tag"sv, "name"sv, "draft"sv, "prerelease"sv, "author"sv, "created_at"sv, "published_at"sv, "deleted"sv, "url"sv};
constexpr std::array kReleasesColumns{"repository"sv, "tag"sv, "name"sv, "published_at"sv, "author"sv};
// branches
constexpr std::span<const std::string_view> kBranchesStates{};
constexpr std::array kBranchesFields{"forge"sv, "repository"sv, "ref"sv, "type"sv, "sha"sv, "deleted"sv, "pushes"sv, "forced_pushes"sv, "commits"sv, "last_push_at"sv};
constexpr std::array kBranchesColumns{"repository"sv, "ref"sv, "type"sv, "sha"sv, "pushes"sv, "forced_pushes"sv, "commits"sv};
// milestones
constexpr std::array kMilestonesStates{"open"sv, "closed"sv};
constexpr std::array kMilestonesFields{"forge"sv, "repository"sv, "milestone_id"sv, "number"sv, "title"sv, "state"sv, "open_issues"sv, "closed_issues"sv, "due_on"sv, "created_at"sv, "closed_at"sv, "deleted"sv};
constexpr std::array kMilestonesColumns{"repository"sv, "number"sv, "title"sv, "state"sv, "open_issues"sv, "closed_issues"sv, "due_on"sv};
// deployments
constexpr std::span<const std::string_view> kDeploymentsStates{};
constexpr std::array kDeploymentsFields{"forge"sv, "repository"sv, "deployment_id"sv, "environment"sv, "ref"sv, "sha"sv, "creator"sv, "created_at"sv, "state"sv, "statuses"sv};
constexpr std::array kDeploymentsColumns{"repository"sv, "environment"sv, "ref"sv, "state"sv, "creator"sv, "created_at"sv};
// repositories
constexpr std::span<const std::string_view> kRepositoriesStates{};
constexpr std::array kRepositoriesFields{"forge"sv, "repo_id"sv, "full_name"sv, "private"sv, "archived"sv, "deleted"sv, "default_branch"sv, "url"sv};
constexpr std::array kRepositoriesColumns{"forge"sv, "full_name"sv, "default_branch"sv, "private"sv, "archived"sv};
// activity
constexpr std::span<const std::string_view> kActivityStates{};
constexpr std::array kActivityFields{"delivery_id"sv, "at"sv, "forge"sv, "repository"sv, "actor"sv, "kind"sv, "action"sv, "summary"sv, "url"sv};
constexpr std::array kActivityColumns{"at"sv, "repository"sv, "actor"sv, "kind"sv, "action"sv, "summary"sv};
// commands: the runs of [[rules]] commands (pipeline/command_scheduler.h)
constexpr std::array kCommandsStates{"queued"sv, "running"sv, "retrying"sv, "succeeded"sv, "failed"sv, "timed_out"sv, "interrupted"sv};
constexpr std::array kCommandsFields{"id"sv, "rule"sv, "delivery"sv, "delivery_guid"sv, "forge"sv, "repository"sv, "event"sv, "action"sv, "status"sv, "attempt"sv, "max_attempts"sv, "rerun_after_crash"sv, "exit_code"sv, "signal"sv, "error"sv, "output_bytes"sv, "output_truncated"sv, "queued_at"sv, "started_at"sv, "ended_at"sv, "duration_seconds"sv, "next_attempt_at"sv};
constexpr std::array kCommandsColumns{"id"sv, "rule"sv, "repository"sv, "event"sv, "status"sv, "attempt"sv, "exit_code"sv, "duration_seconds"sv};

constexpr std::array kSpecs{
    ResourceSpec{Resource::Pulls, "pulls", "Pull and merge requests with cycle and review time", kFilterActor | kFilterState | kFilterNumber | kFilterTime, "actor", "author", "created", kPullsStates, kPullsFields, kPullsColumns},
    ResourceSpec{Resource::Reviews, "reviews", "Reviews of pull requests (GitLab approvals too)", kFilterActor | kFilterState | kFilterNumber | kFilterTime, "actor", "reviewer", "submitted", kReviewsStates, kReviewsFields, kReviewsColumns},
    ResourceSpec{Resource::Issues, "issues", "Issues with their labels, milestone and comment count", kFilterActor | kFilterState | kFilterNumber | kFilterTime, "actor", "author", "created", kIssuesStates, kIssuesFields, kIssuesColumns},
    ResourceSpec{Resource::Items, "items", "Planned items, their status following the linked issue", kFilterActor | kFilterState | kFilterNumber | kFilterTime, "owner", "owner", "created", kItemsStates, kItemsFields, kItemsColumns},
    ResourceSpec{Resource::Runs, "runs", "CI runs: workflow runs, jobs, check suites, GitLab pipelines", kFilterState | kFilterTime, "", "", "started", kRunsStates, kRunsFields, kRunsColumns},
    ResourceSpec{Resource::Incidents, "incidents", "CI incidents: a failed run opens one, the next success resolves it", kFilterState | kFilterTime, "", "", "opened", kIncidentsStates, kIncidentsFields, kIncidentsColumns},
    ResourceSpec{Resource::Releases, "releases", "Releases and their tags", kFilterActor | kFilterTime, "actor", "author", "published (or created)", kReleasesStates, kReleasesFields, kReleasesColumns},
    ResourceSpec{Resource::Branches, "branches", "Branches and tags with push, forced-push and commit counts", 0, "", "", "", kBranchesStates, kBranchesFields, kBranchesColumns},
    ResourceSpec{Resource::Milestones, "milestones", "Milestones with open and closed issue counts", kFilterState | kFilterNumber | kFilterTime, "", "", "created", kMilestonesStates, kMilestonesFields, kMilestonesColumns},
    ResourceSpec{Resource::Deployments, "deployments", "Deployments with their latest status", kFilterActor | kFilterTime, "actor", "creator", "created", kDeploymentsStates, kDeploymentsFields, kDeploymentsColumns},
    ResourceSpec{Resource::Repositories, "repositories", "Repositories seen in deliveries (renames keep their history)", 0, "", "", "", kRepositoriesStates, kRepositoriesFields, kRepositoriesColumns},
    ResourceSpec{Resource::Activity, "activity", "The activity feed: one line per delivery, newest event first", kFilterActor | kFilterKind | kFilterTime, "actor", "actor", "event", kActivityStates, kActivityFields, kActivityColumns},
    ResourceSpec{Resource::Commands, "commands", "Commands run by [[rules]] for deliveries: status, exit code, attempts", kFilterActor | kFilterState | kFilterTime, "rule", "rule", "queued", kCommandsStates, kCommandsFields, kCommandsColumns},
};

// clang-format on

// specOf() indexes by the enum's value: the table must list every resource in enum order.
constexpr bool inEnumOrder() {
  for (std::size_t i = 0; i < kSpecs.size(); ++i)
    if (kSpecs[i].resource != static_cast<Resource>(i)) return false;
  return kSpecs.size() == kResourceCount;
}
static_assert(inEnumOrder(), "kSpecs must list every Resource once, in enum order");

}  // namespace

std::span<const ResourceSpec> resourceSpecs() { return kSpecs; }

const ResourceSpec* findResource(std::string_view name) {
  for (const auto& spec : kSpecs)
    if (spec.name == name) return &spec;
  return nullptr;
}

const ResourceSpec& specOf(Resource resource) { return kSpecs[static_cast<std::size_t>(resource)]; }

}  // namespace forgehook::store
