#include "api/activity_metrics_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fake_clock.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kHour = 3600, kDay = 86400;
constexpr std::int64_t T = 1'795'428'000;         // 2026-11-23T10:00:00Z, a Monday
constexpr std::int64_t kMonday = T - 10 * kHour;  // 2026-11-23T00:00:00Z

// A MetricsReader answering with the rows a test sets, and remembering what it was asked.
class FakeMetricsReader final : public store::MetricsReader {
 public:
  core::Result<store::StatusCounts> statusCounts(const store::RepositoryFilter&, std::int64_t) override {
    return store::StatusCounts{};
  }
  core::Result<std::vector<store::MilestoneRow>> milestones(const store::RepositoryFilter&, int) override { return {}; }
  core::Result<std::vector<store::PullTiming>> pullTimings(const store::RepositoryFilter& repository,
                                                           std::int64_t since, std::int64_t until) override {
    askedRepository = repository;
    askedRange = {since, until};
    return pulls;
  }
  core::Result<std::vector<store::MilestoneRow>> milestonesTitled(const store::RepositoryFilter&,
                                                                  const std::string& title) override {
    std::vector<store::MilestoneRow> out;
    if (sprint && sprint->title == title) out.push_back(*sprint);
    if (twin && twin->title == title) out.push_back(*twin);
    return out;
  }
  core::Result<std::vector<store::SprintIssue>> milestoneIssues(const store::MilestoneRow& m) override {
    askedMilestone = m.milestoneId;
    return issues;
  }
  core::Result<std::vector<store::MilestoneRow>> closedMilestones(const store::RepositoryFilter&) override {
    return closed;
  }
  core::Result<store::HealthCounts> healthCounts(const store::HealthQuery& query) override {
    askedHealth = query;
    return health;
  }

  std::vector<store::PullTiming> pulls;
  std::optional<store::MilestoneRow> sprint, twin;  // twin: the same title in another repository
  std::string askedMilestone;
  std::vector<store::SprintIssue> issues;
  std::vector<store::MilestoneRow> closed;
  store::HealthCounts health;

  store::RepositoryFilter askedRepository;
  std::pair<std::int64_t, std::int64_t> askedRange;
  store::HealthQuery askedHealth;
};

http::Request get(std::string query) {
  http::Request r;
  r.method = "GET";
  r.query = std::move(query);
  return r;
}

class ActivityMetricsApiTest : public ::testing::Test {
 protected:
  json call(http::Response (ActivityMetricsApi::*endpoint)(const http::Request&) const, std::string query,
            int status = 200) {
    const auto response = (api_.*endpoint)(get(std::move(query)));
    EXPECT_EQ(response.status, status) << response.body;
    return json::parse(response.body);
  }
  json sprint(std::string query = "milestone=Sprint%201") {
    return call(&ActivityMetricsApi::sprint, std::move(query));
  }

  FakeMetricsReader reader_;
  testing::FakeClock clock_{(T + 10 * kDay) * 1'000'000};
  ActivityMetricsApi api_{reader_, clock_};
};

store::MilestoneRow milestone(std::optional<std::int64_t> closedAt, std::optional<std::int64_t> dueOn = {}) {
  store::MilestoneRow m;
  m.forge = "github";
  m.milestoneId = "m1";
  m.repository = "Codertocat/Hello-World";
  m.title = "Sprint 1";
  m.state = closedAt ? "closed" : "open";
  m.createdAt = T;
  m.dueOn = dueOn;
  m.closedAt = closedAt;
  return m;
}

TEST_F(ActivityMetricsApiTest, SprintTotalsSumEvenForIssuesTheBurndownCannotPlace) {
  reader_.sprint = milestone(T + 5 * kDay);
  reader_.issues = {{1, "closed", T, T + kDay},
                    {2, "open", T + kDay, std::nullopt},
                    {3, "open", std::nullopt, std::nullopt},     // creation time unknown
                    {4, "closed", T + 6 * kDay, T + 7 * kDay},   // created after the milestone closed
                    {5, "closed", std::nullopt, std::nullopt}};  // closed, time unknown
  const json out = sprint();
  EXPECT_EQ(out["issues"], 5);
  EXPECT_EQ(out["open"], 2);
  EXPECT_EQ(out["closed"], 3);

  // The reported case: one issue, created after its milestone closed.
  reader_.issues = {{9, "open", T + 6 * kDay, std::nullopt}};
  const json one = sprint();
  EXPECT_EQ(one["issues"], 1);
  EXPECT_EQ(one["open"], 1);
  EXPECT_EQ(one["closed"], 0);
}

TEST_F(ActivityMetricsApiTest, SprintBurndownCountsEachDayFromTheMilestonesStartToItsClose) {
  reader_.sprint = milestone(T + 3 * kDay + 5 * kHour, T + 20 * kDay);
  reader_.issues = {{1, "closed", T, T + kDay},
                    {2, "closed", T + kDay + 2 * kHour, T + 2 * kDay + kHour},
                    {3, "open", T, std::nullopt}};
  store::MilestoneRow sprint0 = milestone(T - kDay);
  sprint0.title = "Sprint 0";
  sprint0.closedIssues = 4;
  reader_.closed = {sprint0};
  const json out = sprint();
  EXPECT_EQ(out["milestone"], "Sprint 1");
  EXPECT_EQ(out["state"], "closed");
  EXPECT_EQ(out["issues"], 3);
  EXPECT_EQ(out["open"], 1);
  EXPECT_EQ(out["closed"], 2);
  EXPECT_EQ(out["burndown"], json::parse(R"([
    {"day": "2026-11-23T00:00:00Z", "open": 2, "closed": 0},
    {"day": "2026-11-24T00:00:00Z", "open": 2, "closed": 1},
    {"day": "2026-11-25T00:00:00Z", "open": 1, "closed": 2},
    {"day": "2026-11-26T00:00:00Z", "open": 1, "closed": 2}])"));
  EXPECT_DOUBLE_EQ(out["closed_per_day"].get<double>(), 0.55);  // 2 closed in 3.625 days
  EXPECT_EQ(out["on_track"], true);
  EXPECT_EQ(out["velocity"], json::parse(R"([{"milestone": "Sprint 0", "closed_at": "2026-11-22T10:00:00Z",
                                              "closed_issues": 4}])"));
}

TEST_F(ActivityMetricsApiTest, SprintNeedsAKnownMilestone) {
  reader_.sprint = milestone(std::nullopt);
  EXPECT_EQ(call(&ActivityMetricsApi::sprint, "milestone=Sprint%209", 404)["error"], "not_found");
  EXPECT_EQ(call(&ActivityMetricsApi::sprint, "", 400)["error"], "invalid_argument");
  EXPECT_EQ(call(&ActivityMetricsApi::sprint, "milestone=", 400)["error"], "invalid_argument");
}

TEST_F(ActivityMetricsApiTest, ATitleInSeveralRepositoriesAsksForTheRepositoryAndIssuesComeByMilestoneId) {
  reader_.sprint = milestone(std::nullopt);
  reader_.twin = milestone(std::nullopt);
  reader_.twin->repository = "octo-org/other";
  reader_.twin->milestoneId = "m2";
  const auto refused = call(&ActivityMetricsApi::sprint, "milestone=Sprint%201", 400);
  EXPECT_EQ(refused["error"], "invalid_argument");
  EXPECT_NE(refused["message"].get<std::string>().find("octo-org/other"), std::string::npos);
  reader_.twin.reset();
  reader_.issues = {{1, "open", T, std::nullopt}};
  EXPECT_EQ(sprint()["issues"], 1);
  EXPECT_EQ(reader_.askedMilestone, "m1");
}

store::PullTiming pull(std::int64_t created, std::optional<std::int64_t> merged, std::optional<std::int64_t> review,
                       std::string state = "merged") {
  return {created, merged, merged, review, std::move(state), false, false};
}

TEST_F(ActivityMetricsApiTest, PullsByWeekWithMedianP90AndMergeRate) {
  const std::int64_t W1 = kMonday, W2 = kMonday + 7 * kDay;
  auto revert = pull(W2 + kHour, W2 + 3 * kHour, W2 + 2 * kHour);
  revert.isRevert = true;
  auto closedUnmerged = pull(W1 + 3 * kHour, std::nullopt, std::nullopt, "closed");
  closedUnmerged.closedAt = W1 + 10 * kHour;
  auto hotfixFromBefore = pull(W1 - kDay, W1 + 6 * kHour, std::nullopt);  // opened before the range
  hotfixFromBefore.isHotfix = true;
  reader_.pulls = {pull(W1 + kHour, W1 + 5 * kHour, W1 + 2 * kHour),      // 4h cycle, 1h review
                   pull(W1 + 2 * kHour, W2 + 2 * kHour, W1 + 4 * kHour),  // 168h cycle, 2h review
                   closedUnmerged,
                   revert,            // 2h cycle, 1h review
                   hotfixFromBefore,  // 30h cycle
                   pull(W2 + 5 * kHour, std::nullopt, std::nullopt, "open")};

  const json out = call(&ActivityMetricsApi::pulls,
                        "repository=codertocat/hello-world&since=2026-11-23T00:00:00Z&"
                        "until=2026-12-07T00:00:00Z");
  EXPECT_EQ(reader_.askedRepository, "codertocat/hello-world");
  EXPECT_EQ(reader_.askedRange, std::pair(W1, W1 + 14 * kDay));
  EXPECT_EQ(out["since"], "2026-11-23T00:00:00Z");
  EXPECT_EQ(out["until"], "2026-12-07T00:00:00Z");
  EXPECT_EQ(out["opened"], 5);
  EXPECT_EQ(out["merged"], 4);
  EXPECT_EQ(out["closed_unmerged"], 1);
  EXPECT_DOUBLE_EQ(out["merge_rate"].get<double>(), 0.8);
  EXPECT_EQ(out["cycle_time_hours"], json({{"median", 4.0}, {"p90", 168.0}}));  // of 2, 4, 30, 168
  EXPECT_EQ(out["review_time_hours"], json({{"median", 1.0}, {"p90", 2.0}}));   // of 1, 1, 2
  EXPECT_EQ(out["reverts"], 1);
  EXPECT_EQ(out["hotfixes"], 0);

  ASSERT_EQ(out["weeks"].size(), 2u);
  const json& w1 = out["weeks"][0];
  EXPECT_EQ(w1["week"], "2026-11-23T00:00:00Z");
  EXPECT_EQ(w1["opened"], 3);
  EXPECT_EQ(w1["merged"], 2);
  EXPECT_EQ(w1["closed_unmerged"], 1);
  EXPECT_DOUBLE_EQ(w1["merge_rate"].get<double>(), 0.667);
  EXPECT_EQ(w1["cycle_time_hours"], json({{"median", 4.0}, {"p90", 30.0}}));
  const json& w2 = out["weeks"][1];
  EXPECT_EQ(w2["week"], "2026-11-30T00:00:00Z");
  EXPECT_EQ(w2["opened"], 2);
  EXPECT_EQ(w2["merged"], 2);
  EXPECT_DOUBLE_EQ(w2["merge_rate"].get<double>(), 1.0);
  EXPECT_EQ(w2["cycle_time_hours"], json({{"median", 2.0}, {"p90", 168.0}}));
  EXPECT_EQ(w2["reverts"], 1);
}

TEST_F(ActivityMetricsApiTest, PullsWithoutARangeCoverTheLast30DaysAndNothingMergedHasNoRate) {
  reader_.pulls = {pull(T + 9 * kDay, std::nullopt, std::nullopt, "open")};
  const json out = call(&ActivityMetricsApi::pulls, "");
  const std::int64_t now = T + 10 * kDay;
  EXPECT_EQ(reader_.askedRange, std::pair(now - 30 * kDay, now + 1));
  EXPECT_EQ(reader_.askedRepository, std::nullopt);
  EXPECT_EQ(out["opened"], 1);
  EXPECT_TRUE(out["merge_rate"].is_null());
  EXPECT_TRUE(out["cycle_time_hours"]["median"].is_null());
  EXPECT_EQ(call(&ActivityMetricsApi::pulls, "since=2026-11-24T00:00:00Z&until=2026-11-23T00:00:00Z", 400)["error"],
            "invalid_argument");
}

TEST_F(ActivityMetricsApiTest, HealthFailureRateAndItsWindow) {
  reader_.health = {3, 4, 8, 2, 5, 12.5};
  const json out = call(&ActivityMetricsApi::health, "stale_pull_days=3");
  const std::int64_t now = T + 10 * kDay;
  EXPECT_EQ(reader_.askedHealth.now, now);
  EXPECT_EQ(reader_.askedHealth.stalePullSeconds, 3 * kDay);
  EXPECT_EQ(reader_.askedHealth.staleIssueSeconds, 30 * kDay);  // the default
  EXPECT_EQ(reader_.askedHealth.ciSince, now - 7 * kDay);
  EXPECT_EQ(out["stale_pulls"], 3);
  EXPECT_EQ(out["stale_issues"], 4);
  EXPECT_EQ(out["stale_pull_days"], 3);
  EXPECT_EQ(out["ci"]["runs_completed"], 8);
  EXPECT_EQ(out["ci"]["runs_failed"], 2);
  EXPECT_DOUBLE_EQ(out["ci"]["failure_rate"].get<double>(), 0.25);
  EXPECT_EQ(out["incidents"], json({{"resolved", 5}, {"mean_hours_to_resolve", 12.5}}));

  reader_.health = {};
  const json idle = call(&ActivityMetricsApi::health, "");
  EXPECT_TRUE(idle["ci"]["failure_rate"].is_null());  // no run completed: no rate, not 0
  EXPECT_TRUE(idle["incidents"]["mean_hours_to_resolve"].is_null());
  EXPECT_EQ(call(&ActivityMetricsApi::health, "stale_pull_days=0", 400)["error"], "invalid_argument");
}

}  // namespace
}  // namespace forgehook::api
