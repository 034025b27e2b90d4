// Both backends derive the same projections from the same deliveries: every example payload of
// @octokit/webhooks-examples (and, as Gitea, those Gitea sends alike; GitLab's fixtures) goes through the model (model/normalize.h) and its records are
// applied, in order and then all again (a replay: equal versions re-apply), by the SQLite store's
// ProjectionWriter and by PostgreSQL's; every projection table must then hold the same rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "model/normalize.h"
#include "store/postgres/pg_activity_reader.h"
#include "store/postgres/pg_change_recorder.h"
#include "store/postgres/pg_projection_writer.h"
#include "store/sqlite/projection_writer.h"
#include "support/examples.h"
#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

// Every GitHub example as the pipeline would get it, with its records.
std::vector<ProcessedDelivery> processedExamples() {
  std::vector<ProcessedDelivery> out;
  std::int64_t id = 0;
  for (const auto& event : testing::webhookExamples()) {
    for (const auto& example : event["examples"]) {
      QueuedDelivery d;
      d.id = ++id;
      d.forge = "github";
      d.event = event["name"].get<std::string>();
      d.action = example.value("action", "");
      d.repository = example.contains("repository") ? example["repository"].value("full_name", "") : "";
      d.contentType = "application/json";
      d.receivedAt = sqlite::kT0 + id * sqlite::kSecond;
      d.rawBody = example.dump();
      auto processed = model::normalize(d);
      if (processed) out.push_back(std::move(*processed));
      // Gitea sends GitHub's shapes for these: the same records under another forge.
      if (d.event == "push" || d.event == "pull_request" || d.event == "issues") {
        d.id = ++id;
        d.forge = "gitea";
        if (auto gitea = model::normalize(d)) out.push_back(std::move(*gitea));
      }
    }
  }
  // A workflow that fails twice and then succeeds (GitHub's completed workflow_run example, run again
  // under other run ids and conclusions): an incident opened and resolved.
  for (const auto& event : testing::webhookExamples()) {
    if (event["name"] != "workflow_run") continue;
    const auto& completed = event["examples"].at(1);
    int n = 0;
    for (const std::string conclusion : {"failure", "timed_out", "success", "failure"}) {
      auto payload = completed;
      payload["workflow_run"]["conclusion"] = conclusion;
      payload["workflow_run"]["id"] = 900000 + n;
      payload["workflow_run"]["run_started_at"] = "2020-10-05T1" + std::to_string(6 + n) + ":00:00Z";
      payload["workflow_run"]["updated_at"] = "2020-10-05T1" + std::to_string(6 + n) + ":10:00Z";
      ++n;
      QueuedDelivery d;
      d.id = ++id;
      d.forge = "github";
      d.event = "workflow_run";
      d.action = "completed";
      d.contentType = "application/json";
      d.receivedAt = sqlite::kT0 + id * sqlite::kSecond;
      d.rawBody = payload.dump();
      if (auto processed = model::normalize(d)) out.push_back(std::move(*processed));
    }
  }
  // GitLab dispatches on the payload's object_kind (its fixtures: a merge request, a pipeline).
  for (const std::string file : {"merge_request.json", "pipeline.json"}) {
    QueuedDelivery d;
    d.id = ++id;
    d.forge = "gitlab";
    d.event = "Hook";
    d.contentType = "application/json";
    d.receivedAt = sqlite::kT0 + id * sqlite::kSecond;
    d.rawBody = testing::gitLabFixture(file);
    if (auto processed = model::normalize(d)) out.push_back(std::move(*processed));
  }
  return out;
}

// The tables compared, each with the columns its rows are compared by (incidents' id is a counter
// of either database, not part of what is derived).
const std::map<std::string, std::string>& comparedTables() {
  static const std::map<std::string, std::string> tables = [] {
    std::map<std::string, std::string> t;
    const auto columns = [](std::initializer_list<const char*> names) {
      std::string expr;
      for (const auto* n : names)
        expr += std::string(expr.empty() ? "" : " || '|' || ") + "coalesce(CAST(" + n + " AS TEXT), '<null>')";
      return expr;
    };
    t["repositories"] = columns({"forge", "repo_id", "full_name", "private", "archived", "deleted", "default_branch", "url", "version"});
    t["pulls"] = columns({"forge", "repo_id", "number", "stub", "title", "state", "draft", "author", "base_ref", "head_ref",
                          "created_at", "updated_at", "merged_at", "closed_at", "additions", "deletions", "changed_files",
                          "labels", "url", "is_revert", "is_hotfix", "version"});
    t["reviews"] = columns({"forge", "review_id", "repo_id", "pr_number", "reviewer", "state", "submitted_at", "url", "version"});
    t["issues"] = columns({"forge", "repo_id", "number", "title", "state", "state_reason", "author", "labels", "assignees",
                           "milestone_id", "milestone", "created_at", "updated_at", "closed_at", "url", "version"});
    t["issue_reopens"] = columns({"forge", "repo_id", "number", "reopened_at", "version"});
    t["comments"] = columns({"forge", "kind", "comment_id", "repo_id", "target_number", "author", "created_at", "deleted", "version"});
    t["runs"] = columns({"forge", "kind", "run_id", "attempt", "repo_id", "workflow", "name", "branch", "sha", "trigger_event",
                         "status", "conclusion", "started_at", "completed_at", "duration_seconds", "url", "version"});
    t["incidents"] = columns({"forge", "repo_id", "workflow", "branch", "opened_run", "opened_at", "resolved_run",
                              "resolved_at", "failed_runs"});
    t["releases"] = columns({"forge", "release_id", "repo_id", "tag", "name", "draft", "prerelease", "author", "created_at",
                             "published_at", "deleted", "url", "version"});
    t["refs"] = columns({"forge", "repo_id", "ref", "ref_type", "sha", "deleted", "version"});
    t["pushes"] = columns({"forge", "repo_id", "ref", "before_sha", "after_sha", "forced", "created", "deleted", "commits",
                           "pusher", "pushed_at", "version"});
    t["milestones"] = columns({"forge", "milestone_id", "repo_id", "number", "title", "state", "open_issues", "closed_issues",
                               "due_on", "created_at", "closed_at", "deleted", "version"});
    t["deployments"] = columns({"forge", "deployment_id", "repo_id", "environment", "ref", "sha", "creator", "created_at", "version"});
    t["deployment_statuses"] = columns({"forge", "status_id", "deployment_id", "state", "created_at", "version"});
    t["activity"] = columns({"delivery_id", "at", "forge", "repo_id", "repository", "actor", "kind", "action", "summary", "url"});
    return t;
  }();
  return tables;
}

std::vector<std::string> rows(testing::StoreUnderTest& store, const std::string& table) {
  auto out = store.rawTexts("SELECT " + comparedTables().at(table) + " FROM " + table);
  std::sort(out.begin(), out.end());
  return out;
}

// Applies every delivery's records to both stores, `passes` times over (the second a replay).
void applyToBoth(testing::SqliteUnderTest& lite, testing::PostgresUnderTest& pg,
                 const std::vector<ProcessedDelivery>& deliveries, int passes, bool recordChanges = false) {
  for (int pass = 0; pass < passes; ++pass) {
    // SQLite: one write transaction per delivery, as the pipeline commits.
    for (const auto& d : deliveries) {
      auto applied = lite.roles().db.write([&](sqlite3* conn) -> core::Result<void> {
        if (recordChanges) lite.roles().changes.watch(d);
        sqlite::ProjectionWriter w(conn);
        for (const auto& write : d.writes)
          if (const int rc = w.apply(write); rc != SQLITE_DONE)
            return std::unexpected(core::Error::internal(write.table + ": " + sqlite3_errmsg(conn)));
        for (const auto& scope : d.incidentScopes)
          if (w.recomputeIncidents(scope) != SQLITE_DONE) return std::unexpected(core::Error::internal("incidents"));
        if (!d.activity.kind.empty() && w.apply(d.activity, d.id) != SQLITE_DONE)
          return std::unexpected(core::Error::internal("activity"));
        if (recordChanges && lite.roles().changes.record(d.activity.at * sqlite::kSecond) != SQLITE_DONE)
          return std::unexpected(core::Error::internal("changes"));
        return {};
      });
      ASSERT_TRUE(applied) << "delivery " << d.id << ": " << applied.error().message;
    }
    // PostgreSQL: the same, on a connection of its pool.
    auto lease = pg.pool().lease();
    ASSERT_TRUE(lease) << lease.error().message;
    for (const auto& d : deliveries) {
      ASSERT_TRUE((*lease)->exec("BEGIN"));
      postgres::PgChangeRecorder recorder(**lease);
      if (recordChanges) {
        ASSERT_TRUE(recorder.watch(d));
      }
      postgres::PgProjectionWriter w(**lease);
      for (const auto& write : d.writes) {
        auto applied = w.apply(write);
        ASSERT_TRUE(applied) << "delivery " << d.id << " " << write.table << ": " << applied.error().message;
      }
      for (const auto& scope : d.incidentScopes) ASSERT_TRUE(w.recomputeIncidents(scope));
      if (!d.activity.kind.empty()) {
        ASSERT_TRUE(w.apply(d.activity, d.id));
      }
      if (recordChanges) {
        ASSERT_TRUE(recorder.record(d.activity.at * sqlite::kSecond));
        ASSERT_TRUE(postgres::appendChanges(**lease, recorder.take()));
      }
      ASSERT_TRUE((*lease)->exec("COMMIT"));
    }
  }
}

TEST(ProjectionWriterContract, BothBackendsDeriveTheSameRowsFromEveryExample) {
  const auto deliveries = processedExamples();
  ASSERT_GT(deliveries.size(), 100u) << "the examples were not all processed";
  for (const std::string forge : {"gitea", "gitlab"})
    ASSERT_TRUE(std::any_of(deliveries.begin(), deliveries.end(), [&](const auto& d) {
      return std::any_of(d.writes.begin(), d.writes.end(), [&](const auto& w) {
        const auto* first = w.key.empty() ? nullptr : std::get_if<std::string>(&w.key[0].value);
        return w.table != "repositories" && first && *first == forge;
      });
    })) << forge << " wrote nothing";
  std::size_t writes = 0;
  for (const auto& d : deliveries) writes += d.writes.size();
  ASSERT_GT(writes, 300u);

  testing::SqliteUnderTest lite;
  testing::PostgresUnderTest pg;
  applyToBoth(lite, pg, deliveries, 2);
  std::size_t compared = 0;
  for (const auto& [table, _] : comparedTables()) {
    const auto a = rows(lite, table), b = rows(pg, table);
    EXPECT_EQ(a, b) << table;
    compared += a.size();
  }
  EXPECT_GT(compared, 200u) << "the tables were mostly empty: the comparison proves little";
}

// Every list resource read back from both stores, page by page and with its filters, is the same
// JSON (incidents' ids aside: each database numbers them).
TEST(ActivityReaderContract, BothBackendsListEveryResourceAlike) {
  testing::SqliteUnderTest lite;
  testing::PostgresUnderTest pg;
  applyToBoth(lite, pg, processedExamples(), 1);
  // What no example writes, the same in both: planned items (one linked to an issue of the
  // examples, one not) and an incident's acknowledgement.
  for (testing::StoreUnderTest* store : std::initializer_list<testing::StoreUnderTest*>{&lite, &pg}) {
    store->rawExec(
        "INSERT INTO items (title, description, owner, status, tags, due_on, forge, repository, issue_number, "
        "created_at, updated_at) VALUES ('Ship it', 'the release', 'octocat', 'planned', '[\"release\"]', 1700000000, "
        "'github', 'codertocat/hello-world', 1, 1560000000, 1560000001)");
    store->rawExec(
        "INSERT INTO items (title, status, created_at, updated_at) VALUES ('Unlinked', 'in_progress', 1560000002, "
        "1560000003)");
    store->rawExec(
        "INSERT INTO incident_acks (forge, repo_id, workflow, branch, opened_run, acknowledged_at, acknowledged_by, "
        "note) SELECT forge, repo_id, workflow, branch, opened_run, 1700000000, 'octocat', 'on it' FROM incidents "
        "ORDER BY forge, repo_id, workflow, branch, opened_run LIMIT 1");
  }
  postgres::PgActivityReader pgReader(pg.pool());
  const auto readAll = [](ActivityReader& reader, ResourceQuery q) {
    std::vector<nlohmann::json> items;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = reader.listResource(q);
      EXPECT_TRUE(page) << page.error().message;
      if (!page) break;
      for (const auto& item : page->items) {
        auto row = nlohmann::json::parse(item);
        if (q.resource == Resource::Incidents) row.erase("id");
        items.push_back(std::move(row));
      }
      if (!page->nextCursor) break;
      q.cursor = page->nextCursor;
    }
    return items;
  };
  std::size_t rowsCompared = 0;
  for (const auto& spec : resourceSpecs()) {
    if (spec.resource == Resource::Commands) continue;  // command runs are not ported to PostgreSQL yet
    std::vector<ResourceQuery> queries;
    ResourceQuery all;
    all.resource = spec.resource;
    all.limit = 7;
    queries.push_back(all);
    ResourceQuery byRepository = all;
    byRepository.repository = "CODERTOCAT/hello-world";
    queries.push_back(byRepository);
    if (accepts(spec, kFilterState) && !spec.states.empty()) {
      ResourceQuery byState = all;
      byState.state = std::string(spec.states[0]);
      queries.push_back(byState);
    }
    if (accepts(spec, kFilterKind)) {
      ResourceQuery byKind = all;
      byKind.kinds = {"push", "pull_request"};
      queries.push_back(byKind);
    }
    if (accepts(spec, kFilterTime)) {
      ResourceQuery byTime = all;
      byTime.since = 1500000000;  // 2017 to 2020: most examples are of 2019
      byTime.until = 1600000000;
      queries.push_back(byTime);
    }
    if (accepts(spec, kFilterActor)) {
      ResourceQuery byActor = all;
      byActor.actor = spec.resource == Resource::Items ? "octocat" : "Codertocat";
      queries.push_back(byActor);
    }
    if (accepts(spec, kFilterNumber)) {
      ResourceQuery byNumber = all;
      byNumber.number = 1;
      queries.push_back(byNumber);
    }
    for (const auto& q : queries) {
      const auto a = readAll(lite.roles().reader, q), b = readAll(pgReader, q);
      EXPECT_EQ(a, b) << spec.name << (q.repository ? " repository" : "") << (q.state ? " state" : "")
                      << (q.kinds.empty() ? "" : " kind") << (q.since ? " time" : "") << (q.actor ? " actor" : "")
                      << (q.number ? " number" : "");
      rowsCompared += a.size();
      if (&q == &queries.front()) {
        EXPECT_FALSE(a.empty()) << spec.name << " is empty: compared nothing";
      }
    }
  }
  EXPECT_GT(rowsCompared, 300u) << "the lists were mostly empty: the comparison proves little";
  // Each planned item once, although the examples hold several repositories named like its link.
  ResourceQuery items;
  items.resource = Resource::Items;
  EXPECT_EQ(readAll(lite.roles().reader, items).size(), 2u);
  ResourceQuery incidents;
  incidents.resource = Resource::Incidents;
  const auto opened = readAll(pgReader, incidents);
  ASSERT_FALSE(opened.empty());
  EXPECT_TRUE(std::any_of(opened.begin(), opened.end(), [](const auto& i) { return i["acknowledged"].is_object(); }));
  ResourceQuery bad;
  bad.resource = Resource::Repositories;
  bad.state = "open";  // repositories take no state
  const auto refused = pgReader.listResource(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Code::InvalidArgument);
  bad.state.reset();
  bad.cursor = "not-a-cursor";
  const auto badCursor = pgReader.listResource(bad);
  ASSERT_FALSE(badCursor);
  EXPECT_EQ(badCursor.error().code, core::Code::InvalidArgument);
}

// The change feed's records of the list resources, as each store's recorder writes them while the
// examples are applied twice (the replay records only what it changes): the same resources,
// actions and rows as the API shows them, in the same order (row ids aside: each database numbers
// its rows, and incidents' ids with them).
TEST(ChangeRecorderContract, BothBackendsRecordTheSameChanges) {
  testing::SqliteUnderTest lite;
  testing::PostgresUnderTest pg;
  const auto deliveries = processedExamples();
  applyToBoth(lite, pg, deliveries, 1, /*recordChanges=*/true);
  const auto readAll = [](ChangeFeed& feed) {
    std::vector<std::tuple<std::string, std::string, std::string, std::string, nlohmann::json>> out;
    ChangeQuery q;
    q.limit = 1000;
    for (;;) {
      auto page = feed.read(q);
      EXPECT_TRUE(page) << page.error().message;
      if (!page || page->changes.empty()) break;
      for (const auto& c : page->changes) {
        auto data = nlohmann::json::parse(c.dataJson);
        if (c.resource == "incidents") data.erase("id");
        out.emplace_back(c.resource, c.action, c.forge, c.repository, std::move(data));
      }
      q.after = page->changes.back().seq;
    }
    return out;
  };
  const std::size_t once = readAll(lite.feed()).size();
  applyToBoth(lite, pg, deliveries, 1, /*recordChanges=*/true);  // the replay: every row as it was
  const auto a = readAll(lite.feed()), b = readAll(pg.feed());
  // The replay records only the rows it changes: examples that give one entity different values at
  // the same version (equal versions re-apply), which the replay sets back and forth, and nothing
  // else (the same on both stores, compared below).
  EXPECT_LT(a.size() - once, once / 10) << "the replay recorded much more than those rows";
  ASSERT_GT(a.size(), 300u) << "few records: the comparison proves little";
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "record " << i;
  std::set<std::string> actions;
  for (const auto& r : a) actions.insert(std::get<1>(r));
  EXPECT_TRUE(actions.contains("created") && actions.contains("updated")) << "the examples exercised too little";
}

}  // namespace
}  // namespace forgehook::store
