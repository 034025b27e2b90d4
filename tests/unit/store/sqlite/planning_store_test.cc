#include "store/sqlite/planning_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using nlohmann::json;

class PlanningStoreTest : public SqliteModelTest {
 protected:
  json ok(core::Result<std::string> row) {
    EXPECT_TRUE(row.has_value()) << row.error().message;
    return row ? json::parse(*row) : json();
  }
  std::int64_t create(const ItemInput& in) {
    return ok(store_->planning.createItem(in, kT0Seconds))["id"].get<std::int64_t>();
  }
  json item(std::int64_t id) { return ok(store_->planning.getItem(id)); }
  template <typename T>
  void expectNotFound(const core::Result<T>& r, const std::string& what) {
    ASSERT_FALSE(r.has_value()) << what << " succeeded";
    EXPECT_EQ(r.error().code, core::Code::NotFound) << what;
  }
};

ItemInput linkedTo(std::int64_t issue, std::string repository = "codertocat/hello-world") {
  ItemInput in;
  in.title = "Sprint board";
  in.forge = "github";
  in.repository = std::move(repository);  // matched to Codertocat/Hello-World as the forge matches names
  in.issueNumber = issue;
  return in;
}

TEST_F(PlanningStoreTest, CreateGetUpdateAndDeleteAnItem) {
  ItemInput in;
  in.title = "Sprint board";
  in.description = "One page for the sprint";
  in.owner = "alice";
  in.tagsJson = R"(["q3"])";
  in.dueOn = kT0Seconds + 7 * kDay;
  const json created = ok(store_->planning.createItem(in, kT0Seconds));
  const auto id = created["id"].get<std::int64_t>();
  EXPECT_EQ(created["title"], "Sprint board");
  EXPECT_EQ(created["description"], "One page for the sprint");
  EXPECT_EQ(created["owner"], "alice");
  EXPECT_EQ(created["status"], "planned");  // the default
  EXPECT_EQ(created["manual_status"], "planned");
  EXPECT_EQ(created["tags"], json({"q3"}));
  EXPECT_EQ(created["labels"], json::array());
  EXPECT_EQ(created["due_on"], "2026-11-30T10:00:00Z");
  EXPECT_TRUE(created["issue"].is_null());
  EXPECT_EQ(created["created_at"], "2026-11-23T10:00:00Z");
  EXPECT_EQ(item(id), created);

  ItemInput edit;
  edit.status = "blocked";
  edit.dueOn = std::optional<std::int64_t>{};  // clears the due date
  const json updated = ok(store_->planning.updateItem(id, edit, kT0Seconds + kHour));
  EXPECT_EQ(updated["status"], "blocked");
  EXPECT_TRUE(updated["due_on"].is_null());
  EXPECT_EQ(updated["title"], "Sprint board");  // fields not sent stay as they are
  EXPECT_EQ(updated["owner"], "alice");
  EXPECT_EQ(updated["tags"], json({"q3"}));
  EXPECT_EQ(updated["created_at"], "2026-11-23T10:00:00Z");
  EXPECT_EQ(updated["updated_at"], "2026-11-23T11:00:00Z");

  ASSERT_TRUE(store_->planning.deleteItem(id, 0));
  expectNotFound(store_->planning.getItem(id), "get after delete");
  expectNotFound(store_->planning.deleteItem(id, 0), "second delete");
}

TEST_F(PlanningStoreTest, MissingItemIsNotFound) {
  ItemInput in;
  in.title = "x";
  create(in);
  expectNotFound(store_->planning.getItem(999), "getItem");
  expectNotFound(store_->planning.updateItem(999, in, kT0Seconds), "updateItem");
  expectNotFound(store_->planning.deleteItem(999, 0), "deleteItem");
}

TEST_F(PlanningStoreTest, HandTagsAndTheLinkedIssuesLabelsAreKeptApart) {
  commit({repositoryRow("1", "Codertocat/Hello-World"),
          issueRow({.number = 42, .createdAt = kT0Seconds, .labelsJson = R"(["bug","roadmap"])"})});
  ItemInput in = linkedTo(42);
  in.tagsJson = R"(["q3"])";
  const auto id = create(in);
  EXPECT_EQ(item(id)["tags"], json({"q3"}));
  EXPECT_EQ(item(id)["labels"], json({"bug", "roadmap"}));
  EXPECT_EQ(item(id)["issue"]["number"], 42);
  EXPECT_EQ(item(id)["issue"]["state"], "open");

  ItemInput retag;
  retag.tagsJson = R"(["q4","team-a"])";
  const json retagged = ok(store_->planning.updateItem(id, retag, kT0Seconds + kHour));
  EXPECT_EQ(retagged["tags"], json({"q4", "team-a"}));
  EXPECT_EQ(retagged["labels"], json({"bug", "roadmap"}));

  // The issue is relabeled: its labels follow, the hand tags stay.
  commit({issueRow({.number = 42, .createdAt = kT0Seconds, .labelsJson = R"(["feature"])"})});
  EXPECT_EQ(item(id)["tags"], json({"q4", "team-a"}));
  EXPECT_EQ(item(id)["labels"], json({"feature"}));
}

TEST_F(PlanningStoreTest, UnlinkDropsTheIssueAndItsStatus) {
  commit({repositoryRow("1", "Codertocat/Hello-World"), issueRow({.number = 42,
                                                                  .state = "closed",
                                                                  .createdAt = kT0Seconds,
                                                                  .closedAt = kT0Seconds + kDay,
                                                                  .labelsJson = R"(["bug"])"})});
  const auto id = create(linkedTo(42));
  EXPECT_EQ(item(id)["status"], "completed");  // follows the closed issue
  EXPECT_EQ(item(id)["completed_at"], "2026-11-24T10:00:00Z");

  ItemInput unlink;
  unlink.unlink = true;
  const json unlinked = ok(store_->planning.updateItem(id, unlink, kT0Seconds + 2 * kDay));
  EXPECT_TRUE(unlinked["issue"].is_null());
  EXPECT_EQ(unlinked["labels"], json::array());
  EXPECT_EQ(unlinked["status"], "planned");  // the hand-set status again
  EXPECT_TRUE(unlinked["completed_at"].is_null());
  EXPECT_EQ(unlinked["title"], "Sprint board");
}

TEST_F(PlanningStoreTest, AcknowledgeIncident) {
  commit({repositoryRow("1", "Codertocat/Hello-World"), runRow("1", "100", "failure", kT0Seconds, kT0Seconds + 600)},
         {}, {ciOnMain("1")});
  ResourceQuery incidents;
  incidents.resource = Resource::Incidents;
  const auto page = store_->reader.listResource(incidents);
  ASSERT_TRUE(page.has_value() && page->items.size() == 1u);
  const auto id = json::parse(page->items[0])["id"].get<std::int64_t>();
  EXPECT_TRUE(json::parse(page->items[0])["acknowledged"].is_null());

  const json ack = ok(store_->planning.acknowledgeIncident(id, "bob", "looking", kT0Seconds + kHour));
  EXPECT_EQ(ack["id"], id);
  EXPECT_EQ(ack["state"], "open");
  EXPECT_EQ(ack["acknowledged"], json({{"at", "2026-11-23T11:00:00Z"}, {"by", "bob"}, {"note", "looking"}}));

  expectNotFound(store_->planning.acknowledgeIncident(id + 1, "bob", "", kT0Seconds), "unknown incident");
}

}  // namespace
}  // namespace forgehook::store::sqlite
