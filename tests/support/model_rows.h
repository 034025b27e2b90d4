#pragma once
// Activity-model rows with values chosen by the test, for the SQLite reader tests: committed the way
// the pipeline commits them (ProcessingQueue::finishProcessing, one delivery per call) but without
// the model, so a test states every number it later checks.
#include <string>
#include <utility>
#include <vector>

#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {

constexpr std::int64_t kT0Seconds = kT0 / kSecond;  // 2026-11-23T10:00:00Z
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;

// A row of `table`: its key columns, then the other columns to set.
inline EntityWrite row(std::string table, std::vector<Field> key, std::vector<Field> fields, std::int64_t version = 1) {
  return {std::move(table), std::move(key), std::move(fields), version, WriteMode::LatestWins};
}

inline EntityWrite repositoryRow(const std::string& repoId, const std::string& fullName) {
  return row("repositories", {{"forge", "github"}, {"repo_id", repoId}}, {{"full_name", fullName}});
}

// A pull request; 0 leaves a time NULL.
struct PullRow {
  std::string repoId = "1";
  std::int64_t number = 1;
  std::string state = "open", author = "octocat";
  std::int64_t createdAt = 0, updatedAt = 0, mergedAt = 0, closedAt = 0;
  bool stub = false, isRevert = false, isHotfix = false;
};
inline FieldValue timeOrNull(std::int64_t t) { return t ? FieldValue(t) : FieldValue(); }
inline EntityWrite pullRow(const PullRow& p) {
  return row("pulls", {{"forge", "github"}, {"repo_id", p.repoId}, {"number", p.number}},
             {{"state", p.state},
              {"author", p.author},
              {"title", "pull " + std::to_string(p.number)},
              {"created_at", timeOrNull(p.createdAt)},
              {"updated_at", timeOrNull(p.updatedAt ? p.updatedAt : p.createdAt)},
              {"merged_at", timeOrNull(p.mergedAt)},
              {"closed_at", timeOrNull(p.closedAt)},
              {"stub", std::int64_t{p.stub}},
              {"is_revert", std::int64_t{p.isRevert}},
              {"is_hotfix", std::int64_t{p.isHotfix}}});
}

inline EntityWrite reviewRow(const std::string& repoId, std::int64_t pull, const std::string& reviewId,
                             const std::string& reviewer, std::int64_t submittedAt,
                             const std::string& state = "approved") {
  return row("reviews", {{"forge", "github"}, {"review_id", reviewId}},
             {{"repo_id", repoId},
              {"pr_number", pull},
              {"reviewer", reviewer},
              {"state", state},
              {"submitted_at", submittedAt}});
}

// An issue; 0 leaves a time NULL, "" leaves the milestone NULL.
struct IssueRow {
  std::string repoId = "1";
  std::int64_t number = 1;
  std::string state = "open", milestone = "", milestoneId = "";
  std::int64_t createdAt = 0, updatedAt = 0, closedAt = 0;
  std::string labelsJson = "[]";
};
inline EntityWrite issueRow(const IssueRow& i) {
  return row("issues", {{"forge", "github"}, {"repo_id", i.repoId}, {"number", i.number}},
             {{"state", i.state},
              {"title", "issue " + std::to_string(i.number)},
              {"author", "octocat"},
              {"milestone", i.milestone.empty() ? FieldValue() : FieldValue(i.milestone)},
              {"milestone_id", i.milestoneId.empty() ? FieldValue() : FieldValue(i.milestoneId)},
              {"labels", i.labelsJson},
              {"created_at", timeOrNull(i.createdAt)},
              {"updated_at", timeOrNull(i.updatedAt ? i.updatedAt : i.createdAt)},
              {"closed_at", timeOrNull(i.closedAt)}});
}

// A milestone; 0 leaves a time NULL.
struct MilestoneRowInput {
  std::string repoId = "1", id = "m1", title = "Sprint 1", state = "open";
  std::int64_t number = 1, openIssues = 0, closedIssues = 0;
  std::int64_t createdAt = 0, dueOn = 0, closedAt = 0;
  bool deleted = false;
};
inline EntityWrite milestoneRow(const MilestoneRowInput& m) {
  return row("milestones", {{"forge", "github"}, {"milestone_id", m.id}},
             {{"repo_id", m.repoId},
              {"number", m.number},
              {"title", m.title},
              {"state", m.state},
              {"open_issues", m.openIssues},
              {"closed_issues", m.closedIssues},
              {"created_at", timeOrNull(m.createdAt)},
              {"due_on", timeOrNull(m.dueOn)},
              {"closed_at", timeOrNull(m.closedAt)},
              {"deleted", std::int64_t{m.deleted}}});
}

// A completed workflow run of workflow "CI" on main.
inline EntityWrite runRow(const std::string& repoId, const std::string& runId, const std::string& conclusion,
                          std::int64_t startedAt, std::int64_t completedAt) {
  return row("runs", {{"forge", "github"}, {"kind", "workflow_run"}, {"run_id", runId}, {"attempt", 1}},
             {{"repo_id", repoId},
              {"workflow", "CI"},
              {"branch", "main"},
              {"status", "completed"},
              {"conclusion", conclusion},
              {"started_at", startedAt},
              {"completed_at", completedAt}});
}
inline IncidentScope ciOnMain(const std::string& repoId) { return {"github", repoId, "CI", "main"}; }

// A fixture with every role open, committing rows as processed deliveries.
class SqliteModelTest : public SqliteTest {
 protected:
  void SetUp() override { store_ = open(); }

  // Appends a delivery received at `receivedAtMicros` and commits `writes`, `activity` and the
  // incident recomputations as its processing. Returns the delivery's id.
  std::int64_t commit(std::vector<EntityWrite> writes, ActivityEntry activity = {},
                      std::vector<IncidentScope> scopes = {}, std::int64_t receivedAtMicros = kT0) {
    const std::int64_t id =
        appendOne(*store_, delivery("github", "h", "d-" + std::to_string(++deliveries_), receivedAtMicros));
    ProcessedDelivery done{id, std::move(writes), std::move(scopes), std::move(activity)};
    const auto dead = store_->queue.finishProcessing(std::span(&done, 1), {}, receivedAtMicros);
    EXPECT_TRUE(dead.has_value()) << dead.error().message;
    EXPECT_EQ(dead ? dead->deadLettered : -1, 0) << "the store refused the records of delivery " << id;
    return id;
  }

  // Rows the list API has for `resource` (up to 500).
  std::size_t count(Resource resource) {
    ResourceQuery q;
    q.resource = resource;
    q.limit = 500;
    auto page = store_->reader.listResource(q);
    EXPECT_TRUE(page.has_value());
    return page ? page->items.size() : 0;
  }

  std::unique_ptr<SqliteRoles> store_;
  int deliveries_ = 0;
};

}  // namespace forgehook::store::sqlite
