#include "mcp/resource_catalog.h"

#include <gtest/gtest.h>

namespace forgehook::mcp {
namespace {

TEST(ResourceCatalogTest, RepositoryResourcesParseAndRoundTrip) {
  auto r = parseResourceUri("forgehook://repositories/octo-org/hello-world/pulls");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "pulls");
  EXPECT_EQ(r->repository, "octo-org/hello-world");
  EXPECT_EQ(r->uri(), "forgehook://repositories/octo-org/hello-world/pulls");
  EXPECT_EQ(r->apiPath(), "/api/v1/pulls");
  EXPECT_EQ(r->apiQuery(), "repository=octo-org%2Fhello-world&limit=100");
  // A GitLab project in a subgroup.
  auto nested = parseResourceUri("forgehook://repositories/group/sub/project/runs");
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->repository, "group/sub/project");
}

TEST(ResourceCatalogTest, GlobalResourcesParse) {
  for (const char* name : {"items", "incidents", "activity", "status"}) {
    auto r = parseResourceUri(std::string("forgehook://") + name);
    ASSERT_TRUE(r.has_value()) << name;
    EXPECT_FALSE(r->repository.has_value());
  }
  EXPECT_EQ(parseResourceUri("forgehook://status")->apiPath(), "/api/v1/metrics/status");
}

TEST(ResourceCatalogTest, OtherUrisNameNothing) {
  for (const char* uri :
       {"forgehook://nothing", "https://repositories/o/r/pulls", "forgehook://repositories/o/r/reviews",
        "forgehook://repositories/o/pulls", "forgehook://repositories//r/pulls", "forgehook://repositories/o//r/pulls",
        "forgehook://repositories/o/r/", "forgehook://"})
    EXPECT_FALSE(parseResourceUri(uri).has_value()) << uri;
}

TEST(ResourceCatalogTest, TheFilterFollowsTheResourceAndRepository) {
  const auto filter = parseResourceUri("forgehook://repositories/o/r/pulls")->changeFilter();
  store::Change change{1, 0, "pulls", "created", "1", "github", "o/r", "{}"};
  EXPECT_TRUE(filter.matches(change, ""));
  change.repository = "o/other";
  EXPECT_FALSE(filter.matches(change, ""));
  change = {2, 0, "issues", "created", "1", "github", "o/r", "{}"};
  EXPECT_FALSE(filter.matches(change, ""));
  // The status sums up pulls, issues, incidents, milestones and deliveries.
  EXPECT_TRUE(parseResourceUri("forgehook://status")->changeFilter().matches(change, ""));
}

TEST(ResourceCatalogTest, AChangeUpdatesItsRepositoryResourceOrTheGlobalOne) {
  EXPECT_EQ(resourceOfChange({1, 0, "pulls", "updated", "1", "github", "o/r", "{}"})->uri(),
            "forgehook://repositories/o/r/pulls");
  EXPECT_EQ(resourceOfChange({1, 0, "items", "updated", "1", "", "", "{}"})->uri(), "forgehook://items");
  EXPECT_FALSE(resourceOfChange({1, 0, "reviews", "updated", "1", "github", "o/r", "{}"}).has_value());
}

TEST(ResourceCatalogTest, TemplatesCoverEveryRepositoryResource) {
  const auto templates = resourceTemplatesJson();
  ASSERT_EQ(templates.size(), kRepositoryResources.size());
  EXPECT_EQ(templates[0]["uriTemplate"], "forgehook://repositories/{owner}/{name}/pulls");
  EXPECT_EQ(templates[0]["mimeType"], "application/json");
}

}  // namespace
}  // namespace forgehook::mcp
