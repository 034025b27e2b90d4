// GET /api/v1/changes through the route table on a real SQLite backend: where the next page starts,
// the reset flag, the parameters it refuses, and the JSON of a change (valid whatever the text, a
// delivery's data the same as the deliveries API shows it).
#include "api/changes_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/delivery_json.h"
#include "support/api_routes_fixture.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ChangesApiTest : public ApiRoutesTest {
 protected:
  // GET /api/v1/changes?query, expecting 200; returns the body parsed.
  json changes(const std::string& query) {
    const auto r = call("GET", "/api/v1/changes", query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static std::vector<std::int64_t> seqs(const json& page) {
    std::vector<std::int64_t> out;
    for (const auto& c : page["changes"]) out.push_back(c["seq"].get<std::int64_t>());
    return out;
  }
  std::int64_t createItem(const std::string& title) {
    store::ItemInput in;
    in.title = title;
    auto row = backend_->planningStore().createItem(in, clock_.nowMicros() / 1'000'000);
    EXPECT_TRUE(row.has_value());
    return row ? json::parse(*row)["id"].get<std::int64_t>() : -1;
  }
  // Commits delivery `id` as processed with an activity line saying `summary`.
  void process(std::int64_t id, const std::string& summary = "ok") {
    store::ProcessedDelivery done;
    done.id = id;
    done.activity.forge = "github";
    done.activity.repository = "Codertocat/Hello-World";
    done.activity.kind = "ping";
    done.activity.summary = summary;
    ASSERT_TRUE(backend_->processingQueue().finishProcessing(std::span(&done, 1), {}, clock_.nowMicros()));
  }
  // The deliveries API's rendering of delivery `id`, as its summary (without headers and payload).
  json shownDelivery(std::int64_t id) {
    const auto r = call("GET", "/api/v1/deliveries/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.body;
    auto d = json::parse(r.body, nullptr, false);
    d.erase("headers");
    d.erase("payload");
    return d;
  }
};

TEST_F(ChangesApiTest, AFullPageContinuesAfterItsLastSeq) {
  for (const auto* id : {"a", "b", "c"}) appendDelivery(id);
  const auto page = changes("limit=2");
  EXPECT_THAT(seqs(page), ElementsAre(1, 2));
  EXPECT_EQ(page["next_after"], 2);
  EXPECT_EQ(page["newest_seq"], 3);
  EXPECT_EQ(page["oldest_seq"], 1);
  const auto rest = changes("after=2&limit=2");
  EXPECT_THAT(seqs(rest), ElementsAre(3));
  EXPECT_EQ(rest["next_after"], 3);
}

TEST_F(ChangesApiTest, AShortPageContinuesAfterTheNewestSeqSkippingRecordsTheFilterLeftOut) {
  appendDelivery("a");                      // 1
  const auto item = createItem("planned");  // 2
  appendDelivery("b");                      // 3
  appendDelivery("c");                      // 4
  const auto page = changes("resource=items&limit=10");
  EXPECT_THAT(seqs(page), ElementsAre(2));
  EXPECT_EQ(page["changes"][0]["id"], std::to_string(item));
  EXPECT_EQ(page["next_after"], 4);
  EXPECT_EQ(page["newest_seq"], 4);
  const auto none = changes("resource=items&after=4");
  EXPECT_THAT(none["changes"], IsEmpty());
  EXPECT_EQ(none["next_after"], 4);
  // A full page of the filtered resource still ends at its own last record.
  EXPECT_EQ(changes("resource=deliveries&limit=2")["next_after"], 3);
}

TEST_F(ChangesApiTest, ResetTellsAClientThatRecordsItHasNotSeenWerePruned) {
  for (const auto* id : {"a", "b", "c", "d"}) appendDelivery(id);
  ASSERT_EQ(backend_->changeFeed().prune({0, 1}, clock_.nowMicros()).value_or(-1), 3);
  const auto behind = changes("after=1");
  EXPECT_EQ(behind["reset"], true);
  EXPECT_THAT(seqs(behind), ElementsAre(4));
  EXPECT_EQ(changes("after=3")["reset"], false);
  EXPECT_EQ(changes("after=4")["reset"], false);
}

TEST_F(ChangesApiTest, UnknownResourceIsRefusedListingTheValidNames) {
  const auto r = call("GET", "/api/v1/changes", "resource=pulls,bogus");
  EXPECT_EQ(r.status, 400);
  const auto message = json::parse(r.body)["message"].get<std::string>();
  EXPECT_THAT(message, HasSubstr("\"bogus\""));
  EXPECT_THAT(message, HasSubstr("deliveries"));
  for (const auto& spec : store::resourceSpecs()) EXPECT_THAT(message, HasSubstr(std::string(spec.name)));
  EXPECT_EQ(changes("resource=deliveries,activity").count("changes"), 1u);
}

TEST_F(ChangesApiTest, AfterMustBeANonNegativeSeq) {
  for (const auto* bad : {"after=-1", "after=abc", "after="}) {
    const auto r = call("GET", "/api/v1/changes", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(r.body, HasSubstr("after")) << bad;
  }
  EXPECT_EQ(changes("after=0")["next_after"], 0);
}

TEST_F(ChangesApiTest, LimitMustBeOneToAThousand) {
  for (int i = 0; i < 3; ++i) appendDelivery("d" + std::to_string(i));
  for (const auto* bad : {"limit=0", "limit=1001", "limit=-5", "limit=x"}) {
    const auto r = call("GET", "/api/v1/changes", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(r.body, HasSubstr("limit")) << bad;
  }
  EXPECT_THAT(seqs(changes("limit=1")), ElementsAre(1));
  EXPECT_THAT(seqs(changes("limit=1000")), ElementsAre(1, 2, 3));
}

TEST_F(ChangesApiTest, TextWithQuotesNewlinesAndControlCharactersStaysValidJson) {
  const std::string summary = "said \"ship it\"\nthen left\t\\ \x01 done";
  process(appendDelivery("a"), summary);
  const auto page = changes("resource=activity");
  ASSERT_FALSE(page.is_discarded());
  ASSERT_EQ(page["changes"].size(), 1u);
  EXPECT_EQ(page["changes"][0]["data"]["summary"], summary);

  store::Change c;
  c.seq = 9;
  c.resource = "activity";
  c.action = "created";
  c.id = "a\"b";
  c.forge = "git\nhub";
  c.repository = "o/\"r\"\\";
  c.dataJson = R"({"k":"v"})";
  const auto rendered = json::parse(changeJson(c), nullptr, false);
  ASSERT_FALSE(rendered.is_discarded()) << changeJson(c);
  EXPECT_EQ(rendered["id"], c.id);
  EXPECT_EQ(rendered["forge"], c.forge);
  EXPECT_EQ(rendered["repository"], c.repository);
  EXPECT_EQ(rendered["at"], "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(rendered["data"], json({{"k", "v"}}));
  c.repository.clear();
  EXPECT_TRUE(json::parse(changeJson(c))["repository"].is_null());
}

TEST_F(ChangesApiTest, DeliveryDataIsTheDeliveriesApiSummaryAtEachStatus) {
  store::NewDelivery d;
  d.forge = "github";
  d.hookId = "123";
  d.deliveryId = "full";
  d.event = "pull_request";
  d.action = "opened";
  d.repository = "Codertocat/Hello-World";
  d.sender = "Codertocat";
  d.contentType = "application/json";
  d.verification = "sha256";
  d.headersJson = "{}";
  d.receivedAt = clock_.nowMicros() + 123'456;  // sub-second digits must survive
  d.body = "{}";
  d.bodySize = 2;
  d.bodyEncoding = "identity";
  const auto full = backend_->deliveryLog().appendBatch(std::span(&d, 1));
  ASSERT_TRUE(full.has_value());
  const auto sparse = appendDelivery("sparse");  // no hook, action, repository or sender: nulls
  const json fullQueued = shownDelivery((*full)[0].id), sparseQueued = shownDelivery(sparse);
  process((*full)[0].id);

  const auto page = changes("resource=deliveries");
  ASSERT_EQ(page["changes"].size(), 3u);
  EXPECT_EQ(page["changes"][0]["data"], fullQueued);
  EXPECT_EQ(page["changes"][1]["data"], sparseQueued);
  EXPECT_EQ(page["changes"][2]["action"], "updated");
  EXPECT_EQ(page["changes"][2]["data"], shownDelivery((*full)[0].id));
  EXPECT_EQ(page["changes"][2]["data"]["status"], "processed");
  EXPECT_TRUE(page["changes"][1]["repository"].is_null());

  // The same summary as api::summaryJson of the stored row.
  auto stored = backend_->deliveryLog().getDelivery(sparse);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(page["changes"][1]["data"], summaryJson(*stored));
}

}  // namespace
}  // namespace forgehook::api
