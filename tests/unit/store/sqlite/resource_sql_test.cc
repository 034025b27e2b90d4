#include "store/sqlite/resource_sql.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/scenario_world.h"

namespace forgehook::store::sqlite {
namespace {

using testing::Delivery;
using testing::example;
using testing::json;
using testing::ScenarioWorld;

TEST(ResourceSql, EveryResourceBuildsWithTheColumnsOfItsFilters) {
  for (const auto& spec : resourceSpecs()) {
    SCOPED_TRACE(std::string(spec.name));
    const ResourceSql* sql = nullptr;
    ASSERT_NO_THROW(sql = &resourceSql(spec.resource));
    EXPECT_TRUE(sql->select.starts_with("SELECT " + sql->rowId + ", ")) << sql->select;
    EXPECT_FALSE(sql->rowId.empty());
    EXPECT_FALSE(sql->forge.empty());
    EXPECT_FALSE(sql->repository.empty());
    EXPECT_EQ(!sql->time.empty(), accepts(spec, kFilterTime));
    EXPECT_EQ(!sql->actor.empty(), accepts(spec, kFilterActor));
    EXPECT_EQ(!sql->state.empty(), accepts(spec, kFilterState));
    EXPECT_EQ(!sql->number.empty(), accepts(spec, kFilterNumber));
    EXPECT_EQ(sql->orderByTime, spec.resource == Resource::Activity);  // the feed alone reads by event time
  }
}

// One delivery of GitHub's own examples for every resource, processed by the real pipeline.
std::vector<Delivery> oneOfEverything() {
  json failedRun = example("workflow_run", "completed");
  failedRun["workflow_run"]["status"] = "completed";    // the example says queued
  failedRun["workflow_run"]["conclusion"] = "failure";  // opens an incident
  return {{"github", "pull_request", "p1", example("pull_request", "opened")},
          {"github", "pull_request_review", "p2", example("pull_request_review", "submitted")},
          {"github", "issues", "i1", example("issues", "opened")},
          {"github", "workflow_run", "w1", failedRun},
          {"github", "release", "r1", example("release", "published")},
          {"github", "push", "b1", example("push")},
          {"github", "milestone", "m1", example("milestone", "created")},
          {"github", "deployment", "d1", example("deployment", "created")}};
}

// A [[rules]] command for every pull request, so the commands resource has a row too.
std::vector<NewCommandRun> echoForPulls(const QueuedDelivery& d) {
  if (d.event != "pull_request") return {};
  return {{"echo", {"/bin/echo", "hi"}, {{"A", "b"}}, "", "none", 1, ""}};
}

TEST(ResourceSql, EveryRowHasExactlyTheCatalogsFieldsInOrder) {
  ScenarioWorld world(echoForPulls);
  world.receive(oneOfEverything());
  ASSERT_EQ(world.process().processed, 8);
  const json issue = world.list("issues").at(0);
  ItemInput item;
  item.title = "Ship it";
  item.forge = "github";
  item.repository = issue["repository"].get<std::string>();
  item.issueNumber = issue["number"].get<std::int64_t>();
  ASSERT_TRUE(world.planning().createItem(item, testing::kScenarioT0));

  for (const auto& spec : resourceSpecs()) {
    SCOPED_TRACE(std::string(spec.name));
    ResourceQuery q;
    q.resource = spec.resource;
    q.limit = 500;
    const auto page = world.reader().listResource(q);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    ASSERT_FALSE(page->items.empty()) << "the scenario made no row to check";
    const std::vector<std::string> expected(spec.fields.begin(), spec.fields.end());
    for (const auto& text : page->items) {
      const auto row = nlohmann::ordered_json::parse(text);  // keeps the order the store wrote
      std::vector<std::string> keys;
      for (const auto& [key, value] : row.items()) keys.push_back(key);
      EXPECT_EQ(keys, expected) << text;
    }
  }
}

}  // namespace
}  // namespace forgehook::store::sqlite
