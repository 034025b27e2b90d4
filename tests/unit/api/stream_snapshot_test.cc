#include "api/stream_snapshot.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace forgehook::api {
namespace {

using nlohmann::json;

std::vector<std::string> names(const std::vector<store::ResourceQuery>& queries) {
  std::vector<std::string> out;
  for (const auto& q : queries) out.emplace_back(store::specOf(q.resource).name);
  return out;
}

TEST(StreamSnapshot, QueriesCoverTheFiltersResourcesWithItsRepositoryAndForge) {
  live::ChangeFilter all;
  EXPECT_EQ(snapshotQueries(all).size(), store::kResourceCount) << "no resource filter: every list resource";

  live::ChangeFilter some{.resources = {"items", "deliveries", "incidents"}, .repository = "o/r", .forge = "github"};
  const auto queries = snapshotQueries(some);
  // In catalog order; deliveries are history, not state.
  EXPECT_EQ(names(queries), (std::vector<std::string>{"items", "incidents"}));
  for (const auto& q : queries) {
    EXPECT_EQ(q.repository, "o/r");
    EXPECT_EQ(q.forge, "github");
    EXPECT_EQ(q.limit, kSnapshotRowsPerResource);
  }

  live::ChangeFilter kinds{.kinds = {"push"}};
  const auto activity = snapshotQueries(kinds);
  EXPECT_EQ(names(activity), (std::vector<std::string>{"activity"})) << "kinds select activity lines only";
  EXPECT_EQ(activity[0].kinds, (std::vector<std::string>{"push"}));

  live::ChangeFilter deliveriesOnly{.resources = {"deliveries"}};
  EXPECT_TRUE(snapshotQueries(deliveriesOnly).empty());
}

class SnapshotMessages : public ::testing::Test {
 protected:
  SnapshotMessages() {
    live::ChangeFilter f{.resources = {"pulls", "items"}};
    queries = snapshotQueries(f);
    snapshot.seq = 42;
    store::ResourcePage pulls;
    pulls.items = {R"({"number":3})", R"({"number":2})", R"({"number":1})"};
    pulls.nextCursor = "1";
    snapshot.pages = {pulls, store::ResourcePage{}};
  }
  std::vector<store::ResourceQuery> queries;
  store::ActivityReader::Snapshot snapshot;
};

TEST_F(SnapshotMessages, WebSocketChunksRowsThenEndsWithTheSeqAndWhatWasTruncated) {
  // Room for two rows a chunk.
  const auto messages = snapshotMessages(queries, snapshot, false, 2 * std::string(R"({"number":3})").size() + 1);
  std::vector<json> parsed;
  for (const auto& m : messages) parsed.push_back(json::parse(*m));
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_EQ(parsed[0], json::parse(R"({"type":"snapshot","resource":"pulls","rows":[{"number":3},{"number":2}]})"));
  EXPECT_EQ(parsed[1], json::parse(R"({"type":"snapshot","resource":"pulls","rows":[{"number":1}]})"));
  EXPECT_EQ(parsed[2], json::parse(R"({"type":"snapshot","resource":"items","rows":[]})")) << "empty: said so";
  EXPECT_EQ(parsed[3], json::parse(R"({"type":"snapshot_end","seq":42,"truncated":["pulls"]})"));
}

TEST_F(SnapshotMessages, SseEventsEndWithAnIdSoAReconnectResumesAfterTheSnapshot) {
  const auto messages = snapshotMessages(queries, snapshot, true, 1 << 20);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(*messages[0],
            "event: snapshot\ndata: {\"resource\":\"pulls\",\"rows\":[{\"number\":3},{\"number\":2},"
            "{\"number\":1}]}\n\n");
  EXPECT_EQ(*messages[1], "event: snapshot\ndata: {\"resource\":\"items\",\"rows\":[]}\n\n");
  EXPECT_EQ(*messages[2], "id: 42\nevent: snapshot_end\ndata: {\"seq\":42,\"truncated\":[\"pulls\"]}\n\n");
}

}  // namespace
}  // namespace forgehook::api
