#include "store/sqlite/activity_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

ActivityEntry activityAt(std::int64_t at, std::string repoId = "1", std::string repository = "Codertocat/Hello-World") {
  ActivityEntry a;
  a.at = at;
  a.forge = "github";
  a.repoId = std::move(repoId);
  a.repository = std::move(repository);
  a.actor = "octocat";
  a.kind = "push";
  a.summary = "pushed";
  return a;
}

ResourceQuery queryOf(Resource resource, int limit = 50) {
  ResourceQuery q;
  q.resource = resource;
  q.limit = limit;
  return q;
}

class ActivityReaderTest : public SqliteModelTest {
 protected:
  std::vector<json> rows(const ResourceQuery& q) {
    auto page = store_->reader.listResource(q);
    if (!page) {
      ADD_FAILURE() << page.error().message;
      return {};
    }
    std::vector<json> out;
    for (const auto& item : page->items) out.push_back(json::parse(item));
    return out;
  }
  std::vector<std::int64_t> column(const ResourceQuery& q, const char* field) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows(q)) out.push_back(r[field].get<std::int64_t>());
    return out;
  }
  void expectInvalid(const ResourceQuery& q, const std::string& what) {
    auto page = store_->reader.listResource(q);
    ASSERT_FALSE(page.has_value()) << what << " was accepted";
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument) << what;
    EXPECT_EQ(page.error().reason, "invalid_argument") << what;
  }
  // Every row of `q`, page by page with `limit` rows a page; checks each cursor with `cursorOk`.
  std::vector<std::int64_t> pageThrough(ResourceQuery q, const char* field, int limit,
                                        const std::function<bool(const std::string&)>& cursorOk) {
    q.limit = limit;
    std::vector<std::int64_t> out;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store_->reader.listResource(q);
      if (!page) {
        ADD_FAILURE() << page.error().message;
        break;
      }
      EXPECT_LE(static_cast<int>(page->items.size()), limit);
      for (const auto& item : page->items) out.push_back(json::parse(item)[field].get<std::int64_t>());
      if (!page->nextCursor) return out;
      EXPECT_TRUE(cursorOk(*page->nextCursor)) << "cursor " << *page->nextCursor;
      q.cursor = page->nextCursor;
    }
    ADD_FAILURE() << "paging did not end";
    return out;
  }
};

TEST_F(ActivityReaderTest, RepositoryFilterIgnoresCase) {
  commit({repositoryRow("1", "Codertocat/Hello-World"), pullRow({.repoId = "1", .number = 7})}, activityAt(kT0Seconds));
  commit({repositoryRow("2", "octo-org/other"), pullRow({.repoId = "2", .number = 8})},
         activityAt(kT0Seconds, "2", "octo-org/other"));

  for (const Resource r : {Resource::Pulls, Resource::Activity}) {
    SCOPED_TRACE(std::string(specOf(r).name));
    auto q = queryOf(r);
    q.repository = "codertocat/hello-world";
    const auto found = rows(q);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["repository"], "Codertocat/Hello-World");
    q.repository = "CODERTOCAT/HELLO-WORLD";
    EXPECT_EQ(rows(q).size(), 1u);
    q.repository = "codertocat/hello";
    EXPECT_TRUE(rows(q).empty());
  }
}

TEST_F(ActivityReaderTest, SnapshotIsEachQuerysFirstPageWithTheNewestChangeSeq) {
  commit({repositoryRow("1", "Codertocat/Hello-World"), pullRow({.repoId = "1", .number = 7})}, activityAt(kT0Seconds));
  commit({pullRow({.repoId = "1", .number = 8})}, activityAt(kT0Seconds + 1));
  auto pulls = queryOf(Resource::Pulls, 1);
  const auto repositories = queryOf(Resource::Repositories);
  const auto snapshot = store_->reader.snapshot({pulls, repositories});
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  EXPECT_EQ(snapshot->seq, store_->feed.newestSeq().value_or(-1));
  EXPECT_GT(snapshot->seq, 0);
  ASSERT_EQ(snapshot->pages.size(), 2u);
  const auto pullPage = store_->reader.listResource(pulls);
  ASSERT_TRUE(pullPage.has_value());
  EXPECT_EQ(snapshot->pages[0].items, pullPage->items);
  EXPECT_EQ(snapshot->pages[0].nextCursor, pullPage->nextCursor);
  EXPECT_TRUE(snapshot->pages[0].nextCursor.has_value()) << "two pulls, a page of one";
  EXPECT_EQ(snapshot->pages[1].items, store_->reader.listResource(repositories)->items);

  // A change after it moves the seq on.
  commit({pullRow({.repoId = "1", .number = 9})}, activityAt(kT0Seconds + 2));
  const auto later = store_->reader.snapshot({pulls});
  ASSERT_TRUE(later.has_value());
  EXPECT_GT(later->seq, snapshot->seq);

  pulls.kinds = {"push"};  // pulls have no kinds: refused like listResource refuses it
  const auto refused = store_->reader.snapshot({repositories, pulls});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::InvalidArgument);
}

TEST_F(ActivityReaderTest, ActivityIsNewestEventFirstWithArrivalBreakingTies) {
  // Arrival order (delivery ids 1..4) differs from event order on purpose.
  const auto d1 = commit({}, activityAt(kT0Seconds + 100));
  const auto d2 = commit({}, activityAt(kT0Seconds + 300));
  const auto d3 = commit({}, activityAt(kT0Seconds + 200));
  const auto d4 = commit({}, activityAt(kT0Seconds + 300));
  EXPECT_THAT(column(queryOf(Resource::Activity), "delivery_id"), ElementsAre(d4, d2, d3, d1));
  const auto feed = rows(queryOf(Resource::Activity));
  ASSERT_EQ(feed.size(), 4u);
  EXPECT_EQ(feed[0]["at"], "2026-11-23T10:05:00Z");
  EXPECT_EQ(feed[3]["at"], "2026-11-23T10:01:40Z");
}

TEST_F(ActivityReaderTest, ActivityPagesCoverEveryRowOnceInOrder) {
  for (const std::int64_t at : {5, 1, 5, 3, 5, 1, 2}) commit({}, activityAt(kT0Seconds + at));
  const auto all = column(queryOf(Resource::Activity), "delivery_id");
  ASSERT_EQ(all.size(), 7u);
  for (const int limit : {1, 2, 3, 7}) {
    SCOPED_TRACE(limit);
    const auto paged = pageThrough(queryOf(Resource::Activity), "delivery_id", limit, [](const std::string& c) {
      const auto dot = c.find('.');
      return dot != std::string::npos && dot > 0 && dot + 1 < c.size();
    });
    EXPECT_THAT(paged, ElementsAreArray(all));
    EXPECT_EQ(std::set(paged.begin(), paged.end()).size(), 7u);
  }
}

TEST_F(ActivityReaderTest, RowIdPagesCoverEveryRowOnce) {
  std::vector<EntityWrite> pulls{repositoryRow("1", "Codertocat/Hello-World")};
  for (std::int64_t n = 1; n <= 6; ++n) pulls.push_back(pullRow({.number = n, .createdAt = kT0Seconds}));
  commit(std::move(pulls));
  const auto all = column(queryOf(Resource::Pulls), "number");
  EXPECT_THAT(all, ElementsAre(6, 5, 4, 3, 2, 1));  // newest row first
  for (const int limit : {1, 3, 4, 6}) {
    SCOPED_TRACE(limit);
    const auto paged = pageThrough(queryOf(Resource::Pulls), "number", limit, [](const std::string& c) {
      return !c.empty() && c.find_first_not_of("0123456789") == std::string::npos;
    });
    EXPECT_THAT(paged, ElementsAreArray(all));
  }
}

TEST_F(ActivityReaderTest, MalformedCursorIsInvalidArgument) {
  commit({}, activityAt(kT0Seconds));
  for (const char* cursor : {"abc", "5", "-1", "", ".", "5.", ".5", "5.abc", "5.0", "5.-1", "x.5"}) {
    auto q = queryOf(Resource::Activity);
    q.cursor = cursor;
    expectInvalid(q, std::string("activity cursor \"") + cursor + "\"");
  }
  for (const char* cursor : {"abc", "-1", "0", "", "5.1", "1e3"}) {
    auto q = queryOf(Resource::Pulls);
    q.cursor = cursor;
    expectInvalid(q, std::string("pulls cursor \"") + cursor + "\"");
  }
}

TEST_F(ActivityReaderTest, FilterTheResourceDoesNotAcceptIsInvalidArgument) {
  struct Case {
    Filter filter;
    const char* name;
    std::function<void(ResourceQuery&, const ResourceSpec&)> set;
  };
  const std::vector<Case> cases{
      {kFilterActor, "actor", [](auto& q, auto&) { q.actor = "octocat"; }},
      {kFilterState, "state",
       [](auto& q, const ResourceSpec& s) { q.state = s.states.empty() ? "open" : std::string(s.states[0]); }},
      {kFilterNumber, "number", [](auto& q, auto&) { q.number = 1; }},
      {kFilterTime, "since", [](auto& q, auto&) { q.since = kT0Seconds; }},
      {kFilterTime, "until", [](auto& q, auto&) { q.until = kT0Seconds; }},
      {kFilterKind, "kind", [](auto& q, auto&) { q.kinds = {"push"}; }},
  };
  int refused = 0;
  for (const auto& spec : resourceSpecs()) {
    for (const auto& c : cases) {
      auto q = queryOf(spec.resource);
      c.set(q, spec);
      const std::string what = std::string(spec.name) + " by " + c.name;
      if (accepts(spec, c.filter)) {
        EXPECT_TRUE(store_->reader.listResource(q).has_value()) << what << " was refused";
      } else {
        expectInvalid(q, what);
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 20);  // the catalog does refuse filters: branches by state, pulls by kind, ...
}

TEST_F(ActivityReaderTest, LimitOutsideOneTo500IsRefused) {
  for (const int limit : {0, -1, 501})
    expectInvalid(queryOf(Resource::Activity, limit), "limit " + std::to_string(limit));
  for (const int limit : {1, 500}) EXPECT_TRUE(store_->reader.listResource(queryOf(Resource::Activity, limit)));
}

}  // namespace
}  // namespace forgehook::store::sqlite
