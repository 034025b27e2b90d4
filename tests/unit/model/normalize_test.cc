#include "model/normalize.h"
#include "model/json_view.h"

#include <gtest/gtest.h>

#include "support/examples.h"

namespace forgehook::model {
namespace {

std::string fieldText(const store::FieldValue& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* t = std::get_if<std::string>(&v)) {
    std::string quoted(1, '"');
    quoted += *t;
    quoted += '"';
    return quoted;
  }
  return "null";
}

store::QueuedDelivery delivery(std::string event, std::string body, std::string contentType = "application/json") {
  store::QueuedDelivery d;
  d.id = 9;
  d.forge = "github";
  d.event = std::move(event);
  d.sender = "Codertocat";
  d.contentType = std::move(contentType);
  d.receivedAt = 1'790'000'000'000'000;
  d.rawBody = std::move(body);
  return d;
}

const store::EntityWrite* find(const store::ProcessedDelivery& p, const std::string& table) {
  for (const auto& w : p.writes)
    if (w.table == table && w.mode == store::WriteMode::LatestWins) return &w;
  return nullptr;
}

store::FieldValue field(const store::EntityWrite& w, const std::string& name) {
  for (const auto& f : w.fields)
    if (f.name == name) return f.value;
  for (const auto& f : w.key)
    if (f.name == name) return f.value;
  return std::string("<absent>");
}

TEST(Normalize, PullRequestExampleBecomesAPullWithItsOwnTimestampAsVersion) {
  auto result = normalize(delivery("pull_request", testing::examplePayload("pull_request", 0)));
  ASSERT_TRUE(result) << result.error().message;
  const auto* pr = find(*result, "pulls");
  ASSERT_NE(pr, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(field(*pr, "number")), 2);
  EXPECT_EQ(std::get<std::string>(field(*pr, "state")), "open");
  EXPECT_EQ(std::get<std::string>(field(*pr, "author")), "Codertocat");
  EXPECT_EQ(std::get<std::string>(field(*pr, "labels")), "[]");
  // 2019-05-15T15:20:33Z, opened ranks first within its second.
  EXPECT_EQ(pr->version, 1557933633LL * 100 + 0);
  ASSERT_NE(find(*result, "repositories"), nullptr);
  EXPECT_EQ(result->activity.kind, "pull_request");
  EXPECT_EQ(result->activity.summary, "Codertocat opened pull request #2: Update the README with new information.");
}

TEST(Normalize, FormBodyGivesTheSameRecordsAsJson) {
  const std::string json = testing::examplePayload("issues", 0);
  std::string form = "payload=";
  for (unsigned char c : json) {
    char buf[4];
    snprintf(buf, sizeof buf, "%%%02X", c);
    form += buf;
  }
  auto a = normalize(delivery("issues", json));
  auto b = normalize(delivery("issues", form, "application/x-www-form-urlencoded"));
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->writes.size(), b->writes.size());
  // Every write the same: table, key, fields, version and mode.
  auto text = [](const store::EntityWrite& w) {
    std::string out = w.table + " v" + std::to_string(w.version) + " m" + std::to_string(static_cast<int>(w.mode));
    for (const auto* part : {&w.key, &w.fields})
      for (const auto& f : *part) out += " " + f.name + "=" + fieldText(f.value);
    return out;
  };
  for (std::size_t i = 0; i < a->writes.size(); ++i) EXPECT_EQ(text(a->writes[i]), text(b->writes[i]));
  EXPECT_EQ(a->activity.summary, b->activity.summary);
  EXPECT_EQ(a->activity.actor, b->activity.actor);
  EXPECT_EQ(a->activity.at, b->activity.at);
}

TEST(JsonView, IntegersTruncateRealsAndRefuseOutOfRange) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(std::string_view(R"({"n": 42, "r": 2.9, "huge": 1e300, "s": "7"})"));
  const JsonView v(doc);
  EXPECT_EQ(v["n"].integer(), 42);
  EXPECT_EQ(v["r"].integer(), 2);
  EXPECT_EQ(v["huge"].integer(), std::nullopt);
  EXPECT_EQ(v["s"].integer(), std::nullopt);
  EXPECT_EQ(v["missing"].integer(), std::nullopt);
}

TEST(Normalize, UnreadableBodiesAreErrorsNotCrashes) {
  auto bad = normalize(delivery("issues", "{not json"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "unreadable_payload");
  auto form = normalize(delivery("issues", "nopayload=1", "application/x-www-form-urlencoded"));
  ASSERT_FALSE(form);
  EXPECT_EQ(form.error().reason, "unreadable_payload");
}

TEST(Normalize, UnknownEventsStillGiveAnActivityLine) {
  auto result = normalize(delivery("star", testing::examplePayload("star", 0)));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->writes.size(), 1u);  // the repository it names, nothing else
  EXPECT_EQ(result->writes[0].table, "repositories");
  EXPECT_EQ(result->activity.kind, "star");
  EXPECT_FALSE(result->activity.summary.empty());
}

TEST(Normalize, EveryGitHubExampleNormalizes) {
  int n = 0;
  for (const auto& e : testing::webhookExamples())
    for (const auto& x : e["examples"]) {
      auto r = normalize(delivery(e["name"].get<std::string>(), x.dump()));
      EXPECT_TRUE(r) << e["name"];
      ++n;
    }
  EXPECT_GT(n, 300);
}

TEST(ForgeTime, ReadsTheFormsForgesSend) {
  EXPECT_EQ(parseForgeTime("2019-05-15T15:20:33Z"), 1557933633);
  EXPECT_EQ(parseForgeTime("2019-05-15T17:20:33+02:00"), 1557933633);
  EXPECT_EQ(parseForgeTime("2019-05-15 15:20:33 UTC"), 1557933633);
  EXPECT_EQ(parseForgeTime("2019-05-15 17:20:33 +0200"), 1557933633);
  EXPECT_EQ(parseForgeTime("yesterday"), std::nullopt);
}

// A numeric updated_at of 9e18 seconds overflowed the version (seconds * 100): undefined behaviour,
// which the normalize fuzz target's UBSan reports (input: tests/fuzz/regressions/normalize/).
TEST(Normalize, TimeAsANumberBeyondTheTimestampRangeIsNoTime) {
  const auto result = normalize(delivery(
      "milestone", R"({"action":"edited","milestone":{"id":5,"number":1,"updated_at":9000000000000000000},
                      "repository":{"id":1,"full_name":"o/r"}})"));
  ASSERT_TRUE(result) << result.error().message;
  const auto* milestone = find(*result, "milestones");
  ASSERT_NE(milestone, nullptr);
  EXPECT_EQ(milestone->version / 100, 0);
}

TEST(ForgeTime, ANumberOfSecondsIsATimeWithinTheTimestampRange) {
  simdjson::dom::parser parser;
  const auto at = [&](const char* json) { return JsonView(parser.parse(std::string(json)).value())["t"].time(); };
  EXPECT_EQ(at(R"({"t":1557933633})"), 1557933633);
  EXPECT_EQ(at(R"({"t":-1557933633})"), -1557933633);
  EXPECT_EQ(at(R"({"t":9000000000000000000})"), std::nullopt);
  EXPECT_EQ(at(R"({"t":-9000000000000000000})"), std::nullopt);
}

}  // namespace
}  // namespace forgehook::model
