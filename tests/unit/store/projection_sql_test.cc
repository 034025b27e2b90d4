// What both stores' projection writers share (store/projection_sql.h): incidents derived from a
// workflow's completed runs, and the upsert each write shape becomes.
#include "store/projection_sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forgehook::store {
namespace {

using ::testing::HasSubstr;

TEST(DeriveIncidents, AFailureOpensTheNextSuccessResolvesAndFailuresInBetweenAreListed) {
  const auto incidents = deriveIncidents({{"1/1", "success", 10},
                                          {"2/1", "failure", 20},
                                          {"2/2", "timed_out", 25},
                                          {"3/1", "cancelled", 30},  // neither opens nor resolves
                                          {"4/1", "success", 40},
                                          {"5/1", "startup_failure", 50}});
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_EQ(incidents[0].openedRun, "2/1");
  EXPECT_EQ(incidents[0].openedAt, 20);
  EXPECT_EQ(incidents[0].resolvedRun, "4/1");
  EXPECT_EQ(incidents[0].resolvedAt, 40);
  EXPECT_EQ(incidents[0].failedRunsJson, R"(["2/1","2/2"])");
  EXPECT_EQ(incidents[1].openedRun, "5/1");
  EXPECT_EQ(incidents[1].resolvedRun, "");  // still open
  EXPECT_EQ(incidents[1].failedRunsJson, R"(["5/1"])");
  EXPECT_TRUE(deriveIncidents({{"1/1", "success", 1}}).empty());
}

EntityWrite pullWrite(WriteMode mode) {
  EntityWrite w;
  w.table = "pulls";
  w.mode = mode;
  w.key = {{"forge", std::string("github")}, {"repo_id", std::string("1")}, {"number", std::int64_t{7}}};
  w.fields = {{"title", std::string("t")}, {"state", std::string("open")}};
  w.version = 3;
  return w;
}

TEST(ProjectionUpsertSql, NewestVersionWinsFillMissingOnlyFillsAndPlaceholdersAreTheStores) {
  const auto dollar = [](int n) {
    std::string p = "$";  // appended: GCC 12 warns falsely (-Wrestrict) on "$" + ...
    return p += std::to_string(n);
  };
  EXPECT_EQ(projectionUpsertSql(pullWrite(WriteMode::LatestWins), dollar),
            "INSERT INTO pulls (forge, repo_id, number, title, state, version) VALUES ($1, $2, $3, $4, $5, $6) ON "
            "CONFLICT (forge, repo_id, number) DO UPDATE SET title = excluded.title, state = excluded.state, version = "
            "excluded.version WHERE excluded.version >= pulls.version");
  EXPECT_THAT(projectionUpsertSql(pullWrite(WriteMode::FillMissing), dollar),
              HasSubstr("DO UPDATE SET title = coalesce(pulls.title, excluded.title), state = coalesce(pulls.state, "
                        "excluded.state)"));
  EXPECT_THAT(projectionUpsertSql(pullWrite(WriteMode::InsertIfAbsent), dollar), HasSubstr("DO NOTHING"));
}

TEST(ProjectionUpsertSql, UnknownTablesAndOddColumnNamesAreRefused) {
  const auto q = [](int n) { return std::to_string(n); };
  auto bad = pullWrite(WriteMode::LatestWins);
  bad.table = "deliveries";
  EXPECT_THROW((void)projectionUpsertSql(bad, q), std::invalid_argument);
  auto odd = pullWrite(WriteMode::LatestWins);
  odd.fields[0].name = "title; DROP TABLE pulls";
  EXPECT_THROW((void)projectionUpsertSql(odd, q), std::invalid_argument);
  EXPECT_THROW((void)projectionWriteShape(odd), std::invalid_argument);
}

}  // namespace
}  // namespace forgehook::store
