#include "store/sqlite/metrics_reader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const RepositoryFilter kAll;
const RepositoryFilter kHello = "codertocat/HELLO-world";  // Codertocat/Hello-World, as the forge matches names
const RepositoryFilter kOther = "octo-org/other";

class MetricsReaderTest : public SqliteModelTest {
 protected:
  void SetUp() override {
    SqliteModelTest::SetUp();
    // Received long ago: outside every test's last 24 hours.
    commit({repositoryRow("1", "Codertocat/Hello-World"), repositoryRow("2", "octo-org/other")}, {}, {},
           kT0 - 10 * kDay * kSecond);
  }
  template <typename T>
  T ok(core::Result<T> result) {
    EXPECT_TRUE(result.has_value()) << result.error().message;
    return result.value_or(T{});
  }
  void fail(std::int64_t id, std::optional<std::int64_t> retryAt) {
    const FailedDelivery f{id, "boom", retryAt};
    ASSERT_TRUE(store_->queue.finishProcessing({}, std::span(&f, 1), kT0));
  }
};

std::vector<std::string> titles(const std::vector<MilestoneRow>& rows) {
  std::vector<std::string> out;
  for (const auto& m : rows) out.push_back(m.title);
  return out;
}

TEST_F(MetricsReaderTest, StatusCountsOpenWorkIncidentsAndRecentDeliveries) {
  const std::int64_t old = kT0 - 2 * kDay * kSecond;
  commit({issueRow({.repoId = "1", .number = 1}), issueRow({.repoId = "1", .number = 2}),
          issueRow({.repoId = "1", .number = 3, .state = "closed"}), issueRow({.repoId = "2", .number = 1}),
          pullRow({.repoId = "1", .number = 1}), pullRow({.repoId = "1", .number = 2, .state = "merged"}),
          pullRow({.repoId = "1", .number = 3, .stub = true}), pullRow({.repoId = "2", .number = 1})},
         {}, {}, old);
  commit({runRow("1", "100", "failure", kT0Seconds - 3 * kDay, kT0Seconds - 3 * kDay)}, {}, {ciOnMain("1")}, old);
  commit({runRow("2", "200", "failure", kT0Seconds - 3 * kDay, kT0Seconds - 3 * kDay),
          runRow("2", "201", "success", kT0Seconds - 2 * kDay, kT0Seconds - 2 * kDay)},
         {}, {ciOnMain("2")}, old);
  // In the last 24 hours: one queued, one retrying, one dead.
  appendOne(*store_, delivery("github", "h", "queued", kT0 - kHour * kSecond, "issues", "codertocat/hello-world"));
  const auto retrying =
      appendOne(*store_, delivery("github", "h", "retry", kT0 - 2 * kHour * kSecond, "push", "octo-org/other"));
  const auto dead = appendOne(*store_, delivery("github", "h", "dead", kT0, "push", "Codertocat/Hello-World"));
  ASSERT_NO_FATAL_FAILURE(fail(retrying, kT0 + kSecond));
  ASSERT_NO_FATAL_FAILURE(fail(dead, std::nullopt));
  const std::int64_t since = kT0 - kDay * kSecond;

  const auto all = ok(store_->metrics.statusCounts(kAll, since));
  EXPECT_EQ(all.openIssues, 3);
  EXPECT_EQ(all.openPulls, 2);  // neither the merged one nor the stub
  EXPECT_EQ(all.incidentsOpen, 1);
  EXPECT_EQ(all.lastDeliveryMicros, kT0);
  EXPECT_EQ(all.deliveries24h, 3);
  EXPECT_EQ(all.failures24h, 2);
  EXPECT_EQ(all.queued, 2);  // queued + retrying
  EXPECT_EQ(all.dead, 1);

  const auto hello = ok(store_->metrics.statusCounts(kHello, since));
  EXPECT_EQ(hello.openIssues, 2);
  EXPECT_EQ(hello.openPulls, 1);
  EXPECT_EQ(hello.incidentsOpen, 1);
  EXPECT_EQ(hello.lastDeliveryMicros, kT0);
  EXPECT_EQ(hello.deliveries24h, 2);
  EXPECT_EQ(hello.failures24h, 1);

  const auto other = ok(store_->metrics.statusCounts(kOther, since));
  EXPECT_EQ(other.openIssues, 1);
  EXPECT_EQ(other.openPulls, 1);
  EXPECT_EQ(other.incidentsOpen, 0);
  EXPECT_EQ(other.lastDeliveryMicros, kT0 - 2 * kHour * kSecond);
  EXPECT_EQ(other.deliveries24h, 1);
  EXPECT_EQ(other.failures24h, 1);
}

TEST_F(MetricsReaderTest, MilestonesOpenFirstByDueDateNoneLastThenTitleWithoutDeletedUpToTheLimit) {
  commit({milestoneRow({.repoId = "1", .id = "a", .title = "Sprint 2", .dueOn = kT0Seconds + 10 * kDay}),
          milestoneRow({.repoId = "1",
                        .id = "b",
                        .title = "Sprint 1",
                        .number = 4,
                        .openIssues = 3,
                        .closedIssues = 2,
                        .createdAt = kT0Seconds,
                        .dueOn = kT0Seconds + 3 * kDay}),
          milestoneRow({.repoId = "1", .id = "c", .title = "Backlog"}),
          milestoneRow({.repoId = "2", .id = "d", .title = "Alpha"}),
          milestoneRow({.repoId = "1", .id = "e", .title = "Gone", .deleted = true}),
          // Closed, and due before every open one: after them all.
          milestoneRow({.repoId = "1", .id = "f", .title = "Sprint 0", .state = "closed", .dueOn = kT0Seconds})});

  const auto all = ok(store_->metrics.milestones(kAll, 50));
  EXPECT_THAT(titles(all), ElementsAre("Sprint 1", "Sprint 2", "Alpha", "Backlog", "Sprint 0"));
  EXPECT_THAT(titles(ok(store_->metrics.milestones(kHello, 50))),
              ElementsAre("Sprint 1", "Sprint 2", "Backlog", "Sprint 0"));
  EXPECT_THAT(titles(ok(store_->metrics.milestones(kAll, 2))), ElementsAre("Sprint 1", "Sprint 2"));
  EXPECT_EQ(ok(store_->metrics.statusCounts(kAll, kT0)).milestones, 5);  // all of them, not the first `limit`
  EXPECT_EQ(ok(store_->metrics.statusCounts(kHello, kT0)).milestones, 4);
  EXPECT_EQ(ok(store_->metrics.statusCounts(kOther, kT0)).milestones, 1);
  const MilestoneRow& m = all.at(0);
  EXPECT_EQ(m.repository, "Codertocat/Hello-World");
  EXPECT_EQ(m.state, "open");
  EXPECT_EQ(m.number, 4);
  EXPECT_EQ(m.openIssues, 3);
  EXPECT_EQ(m.closedIssues, 2);
  EXPECT_EQ(m.createdAt, kT0Seconds);
  EXPECT_EQ(m.dueOn, kT0Seconds + 3 * kDay);
  EXPECT_EQ(m.closedAt, std::nullopt);
}

TEST_F(MetricsReaderTest, PullTimingsAreThoseCreatedBeforeUntilWithAnythingInTheRange) {
  const std::int64_t S = kT0Seconds, U = kT0Seconds + 7 * kDay;
  commit({pullRow({.number = 1,
                   .state = "merged",
                   .createdAt = S - 10 * kDay,
                   .mergedAt = S + kDay,
                   .closedAt = S + kDay,
                   .isRevert = true}),
          pullRow({.number = 2, .state = "closed", .createdAt = S - 10 * kDay, .closedAt = S - 5 * kDay}),
          pullRow({.number = 3, .createdAt = S + 2 * kDay}), pullRow({.number = 4, .createdAt = U}),
          pullRow({.number = 5, .author = "alice", .createdAt = S - 3 * kDay}),
          reviewRow("1", 5, "r1", "bob", S + kHour),
          pullRow({.number = 6, .author = "alice", .createdAt = S - 3 * kDay}),
          reviewRow("1", 6, "r2", "alice", S + kHour),  // her own review is no first review
          pullRow({.number = 7, .createdAt = S}), pullRow({.number = 8, .createdAt = S + kDay, .stub = true}),
          pullRow({.number = 9, .state = "merged", .createdAt = S - kDay, .mergedAt = U, .closedAt = U + kDay}),
          pullRow({.repoId = "2", .number = 1, .createdAt = S + kDay})});

  auto created = [](const std::vector<PullTiming>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& p : rows) out.push_back(p.createdAt);
    return out;
  };
  const auto hello = ok(store_->metrics.pullTimings(kHello, S, U));
  // #1 merged, #3 and #7 created, #5 first reviewed in the range; #9 only merged at `until`.
  EXPECT_THAT(created(hello), UnorderedElementsAre(S - 10 * kDay, S + 2 * kDay, S - 3 * kDay, S));
  EXPECT_EQ(ok(store_->metrics.pullTimings(kAll, S, U)).size(), 5u);
  EXPECT_THAT(ok(store_->metrics.pullTimings(kOther, S, U)), ::testing::SizeIs(1));

  const auto merged = std::find_if(hello.begin(), hello.end(), [&](auto& p) { return p.createdAt == S - 10 * kDay; });
  ASSERT_NE(merged, hello.end());
  EXPECT_EQ(merged->state, "merged");
  EXPECT_EQ(merged->mergedAt, S + kDay);
  EXPECT_EQ(merged->closedAt, S + kDay);
  EXPECT_EQ(merged->firstReviewAt, std::nullopt);
  EXPECT_TRUE(merged->isRevert);
  EXPECT_FALSE(merged->isHotfix);
  const auto reviewed = std::find_if(hello.begin(), hello.end(), [&](auto& p) { return p.createdAt == S - 3 * kDay; });
  ASSERT_NE(reviewed, hello.end());
  EXPECT_EQ(reviewed->firstReviewAt, S + kHour);
  EXPECT_EQ(reviewed->mergedAt, std::nullopt);
}

TEST_F(MetricsReaderTest, MilestonesByTitleAndTheirIssuesById) {
  commit(
      {milestoneRow({.repoId = "1",
                     .id = "a",
                     .title = "Sprint 1",
                     .state = "closed",
                     .closedIssues = 1,
                     .createdAt = kT0Seconds,
                     .closedAt = kT0Seconds + 5 * kDay}),
       milestoneRow({.repoId = "2", .id = "b", .title = "Sprint 1"}),
       issueRow({.repoId = "1", .number = 10, .milestone = "Sprint 1", .milestoneId = "a", .createdAt = kT0Seconds}),
       issueRow({.repoId = "1",
                 .number = 11,
                 .state = "closed",
                 .milestone = "Sprint 1",
                 .milestoneId = "a",
                 .createdAt = kT0Seconds,
                 .closedAt = kT0Seconds + kDay}),
       issueRow({.repoId = "1", .number = 12, .milestone = "Sprint 1", .milestoneId = "a"}),  // creation unknown
       // Renamed since: the issue still carries the old title, and still belongs to milestone a.
       issueRow({.repoId = "1", .number = 15, .milestone = "Old name", .milestoneId = "a", .createdAt = kT0Seconds}),
       issueRow({.repoId = "1", .number = 16, .state = "deleted", .milestone = "Sprint 1", .milestoneId = "a"}),
       issueRow({.repoId = "1", .number = 13, .milestone = "Sprint 2", .milestoneId = "z", .createdAt = kT0Seconds}),
       issueRow({.repoId = "1", .number = 14, .createdAt = kT0Seconds}),
       issueRow({.repoId = "2", .number = 10, .milestone = "Sprint 1", .milestoneId = "b", .createdAt = kT0Seconds})});

  const auto hello = ok(store_->metrics.milestonesTitled(kHello, "Sprint 1"));
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].repository, "Codertocat/Hello-World");
  EXPECT_EQ(hello[0].milestoneId, "a");
  EXPECT_EQ(hello[0].state, "closed");
  EXPECT_EQ(hello[0].closedAt, kT0Seconds + 5 * kDay);
  EXPECT_EQ(ok(store_->metrics.milestonesTitled(kAll, "Sprint 1")).size(), 2u);  // the API asks for a repository
  EXPECT_TRUE(ok(store_->metrics.milestonesTitled(kAll, "Sprint 9")).empty());

  const auto issues = ok(store_->metrics.milestoneIssues(hello[0]));
  std::vector<std::int64_t> numbers;
  for (const auto& i : issues) numbers.push_back(i.number);
  // Not 13 (another milestone), 14 (none), 16 (deleted) or repository 2's issue 10.
  EXPECT_THAT(numbers, UnorderedElementsAre(10, 11, 12, 15));
  for (const auto& i : issues) {
    SCOPED_TRACE(i.number);
    EXPECT_EQ(i.state, i.number == 11 ? "closed" : "open");
    EXPECT_EQ(i.createdAt, i.number == 12 ? std::nullopt : std::optional(kT0Seconds));
    EXPECT_EQ(i.closedAt, i.number == 11 ? std::optional(kT0Seconds + kDay) : std::nullopt);
  }
}

TEST_F(MetricsReaderTest, ClosedMilestonesAreTheLastTenNewestFirst) {
  std::vector<EntityWrite> rows;
  for (int i = 1; i <= 12; ++i)
    rows.push_back(milestoneRow({.repoId = "1",
                                 .id = "c" + std::to_string(i),
                                 .title = "Closed " + std::to_string(i),
                                 .state = "closed",
                                 .closedAt = kT0Seconds + i * kDay}));
  rows.push_back(milestoneRow({.repoId = "1", .id = "open", .title = "Open"}));
  rows.push_back(milestoneRow({.repoId = "1",
                               .id = "gone",
                               .title = "Gone",
                               .state = "closed",
                               .closedAt = kT0Seconds + 20 * kDay,
                               .deleted = true}));
  rows.push_back(milestoneRow(
      {.repoId = "2", .id = "o", .title = "Other", .state = "closed", .closedAt = kT0Seconds + 30 * kDay}));
  commit(std::move(rows));

  EXPECT_THAT(titles(ok(store_->metrics.closedMilestones(kHello))),
              ElementsAre("Closed 12", "Closed 11", "Closed 10", "Closed 9", "Closed 8", "Closed 7", "Closed 6",
                          "Closed 5", "Closed 4", "Closed 3"));
  const auto all = titles(ok(store_->metrics.closedMilestones(kAll)));
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front(), "Other");
  EXPECT_EQ(all.back(), "Closed 4");
  EXPECT_THAT(titles(ok(store_->metrics.closedMilestones(kOther))), ElementsAre("Other"));
}

TEST_F(MetricsReaderTest, HealthCountsStaleWorkCiFailuresAndResolution) {
  const std::int64_t N = kT0Seconds + 30 * kDay;
  auto run = [&](const std::string& repo, const std::string& id, const std::string& conclusion, std::int64_t done) {
    return runRow(repo, id, conclusion, done - 600, done);
  };
  commit({pullRow({.number = 1, .createdAt = N - 40 * kDay, .updatedAt = N - 15 * kDay}),
          pullRow({.number = 2, .createdAt = N - 40 * kDay, .updatedAt = N - 13 * kDay}),
          pullRow({.number = 3, .state = "closed", .createdAt = N - 40 * kDay, .updatedAt = N - 20 * kDay}),
          pullRow({.number = 4, .createdAt = N - 40 * kDay, .updatedAt = N - 20 * kDay, .stub = true}),
          issueRow({.repoId = "1", .number = 1, .createdAt = N - 90 * kDay, .updatedAt = N - 31 * kDay}),
          issueRow({.repoId = "1", .number = 2, .createdAt = N - 90 * kDay, .updatedAt = N - 29 * kDay}),
          issueRow(
              {.repoId = "1", .number = 3, .state = "closed", .createdAt = N - 90 * kDay, .updatedAt = N - 40 * kDay}),
          issueRow({.repoId = "2", .number = 1, .createdAt = N - 90 * kDay, .updatedAt = N - 60 * kDay})});
  // CI on main: failure (before the window), success, failure, timed out, success: two incidents,
  // resolved after 96 and 48 hours.
  commit({run("1", "10", "failure", N - 10 * kDay), run("1", "11", "success", N - 6 * kDay),
          run("1", "12", "failure", N - 5 * kDay), run("1", "13", "timed_out", N - 4 * kDay),
          run("1", "14", "success", N - 3 * kDay), run("2", "20", "failure", N - kDay)},
         {}, {ciOnMain("1"), ciOnMain("2")});

  auto health = [&](const RepositoryFilter& repo) {
    return ok(store_->metrics.healthCounts({repo, N, 14 * kDay, 30 * kDay, N - 7 * kDay}));
  };
  const auto hello = health(kHello);
  EXPECT_EQ(hello.stalePulls, 1);
  EXPECT_EQ(hello.staleIssues, 1);
  EXPECT_EQ(hello.runsCompleted, 4);
  EXPECT_EQ(hello.runsFailed, 2);
  EXPECT_EQ(hello.incidentsResolved, 2);
  ASSERT_TRUE(hello.meanHoursToResolve.has_value());
  EXPECT_DOUBLE_EQ(*hello.meanHoursToResolve, 72.0);

  const auto all = health(kAll);
  EXPECT_EQ(all.staleIssues, 2);
  EXPECT_EQ(all.runsCompleted, 5);
  EXPECT_EQ(all.runsFailed, 3);
  EXPECT_EQ(all.incidentsResolved, 2);

  const auto other = health(kOther);
  EXPECT_EQ(other.stalePulls, 0);
  EXPECT_EQ(other.incidentsResolved, 0);
  EXPECT_EQ(other.meanHoursToResolve, std::nullopt);  // its incident is still open
}

}  // namespace
}  // namespace forgehook::store::sqlite
