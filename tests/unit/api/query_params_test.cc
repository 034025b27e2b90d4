#include "api/query_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace forgehook::api {
namespace {

using namespace std::string_view_literals;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr std::int64_t kNow = 1'795'428'000;  // 2026-11-23T10:00:00Z
constexpr std::int64_t kMicros = 1'000'000;

http::Request get(std::string path, std::string query) {
  http::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

// The error's message, after checking it is the one 400 of the query API.
template <typename T>
std::string refusal(const core::Result<T>& result) {
  if (result.has_value()) {
    ADD_FAILURE() << "accepted";
    return "";
  }
  EXPECT_EQ(result.error().code, core::Code::InvalidArgument);
  EXPECT_EQ(result.error().reason, "invalid_argument");
  EXPECT_EQ(http::errorResponse(result.error()).status, 400);
  return result.error().message;
}

const std::vector<std::string_view> kAccepted{"repository", "limit", "cursor"};

TEST(CheckParams, AcceptsTheAllowedSet) {
  for (const char* query : {"", "repository=Codertocat%2FHello-World", "repository=a&limit=5&cursor=12.3",
                            "limit=5&&repository=", "cursor"}) {
    const auto ok = checkParams(get("/api/v1/pulls", query), kAccepted);
    EXPECT_TRUE(ok.has_value()) << query << ": " << ok.error().message;
  }
}

TEST(CheckParams, RefusesAnUnknownParameterNamingItAndWhatIsAccepted) {
  const auto message = refusal(checkParams(get("/api/v1/pulls", "limit=5&repo=x"), kAccepted));
  EXPECT_THAT(message,
              AllOf(HasSubstr("\"repo\""), HasSubstr("/api/v1/pulls"), HasSubstr("repository, limit, cursor")));
  EXPECT_THAT(refusal(checkParams(get("/healthz", "verbose=1"), {})), HasSubstr("/healthz takes no query parameters"));
}

TEST(CheckParams, RefusesARepeatedParameterNamingIt) {
  EXPECT_THAT(refusal(checkParams(get("/api/v1/pulls", "limit=1&repository=a&limit=2"), kAccepted)),
              AllOf(HasSubstr("\"limit\""), HasSubstr("twice")));
  // Repeated under another spelling of the same name.
  EXPECT_THAT(refusal(checkParams(get("/api/v1/pulls", "limit=1&%6Cimit=2"), kAccepted)), HasSubstr("\"limit\""));
}

TEST(CheckParams, RefusesAMalformedEscapeNamingTheParameter) {
  EXPECT_THAT(refusal(checkParams(get("/api/v1/pulls", "limit=5&repository=a%zzb"), kAccepted)),
              AllOf(HasSubstr("\"repository\""), HasSubstr("percent-encoded")));
  EXPECT_THAT(refusal(checkParams(get("/api/v1/pulls", "cursor=%4"), kAccepted)), HasSubstr("\"cursor\""));
  EXPECT_THAT(refusal(checkParams(get("/api/v1/pulls", "re%zzpo=1"), kAccepted)), HasSubstr("re%zzpo"));
}

std::vector<std::string_view> paramsOf(std::string_view resource) {
  const auto* spec = store::findResource(resource);
  return spec ? listParams(*spec) : std::vector<std::string_view>{};
}

TEST(ListParams, EachResourceAcceptsItsOwnFilters) {
  EXPECT_THAT(paramsOf("branches"), UnorderedElementsAre("forge", "repository", "limit", "cursor"));
  EXPECT_THAT(paramsOf("repositories"), UnorderedElementsAre("forge", "repository", "limit", "cursor"));
  EXPECT_THAT(paramsOf("items"), IsSupersetOf({"owner"sv, "state"sv, "number"sv, "since"sv}));
  EXPECT_THAT(paramsOf("items"), Not(::testing::Contains("actor"sv)));
  EXPECT_THAT(paramsOf("pulls"), UnorderedElementsAre("forge", "repository", "actor", "state", "number", "since",
                                                      "until", "timeframe", "limit", "cursor"));
  EXPECT_THAT(paramsOf("activity"), UnorderedElementsAre("forge", "repository", "actor", "kind", "since", "until",
                                                         "timeframe", "limit", "cursor"));
  EXPECT_THAT(paramsOf("runs"), AllOf(::testing::Contains("state"sv), Not(::testing::Contains("actor"sv))));
  for (const auto& spec : store::resourceSpecs()) {
    const auto params = listParams(spec);
    EXPECT_THAT(params, IsSupersetOf({"forge"sv, "repository"sv, "limit"sv, "cursor"sv})) << spec.name;
    EXPECT_EQ(std::count(params.begin(), params.end(), "kind"sv), store::accepts(spec, store::kFilterKind) ? 1 : 0);
  }
}

TEST(ReadTimeRange, TimeframeSinceAndUntil) {
  auto range = [](std::string query) { return readTimeRange(get("/x", std::move(query)), kNow * kMicros); };
  const auto none = range("");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->sinceMicros, std::nullopt);
  EXPECT_EQ(none->untilMicros, std::nullopt);

  const auto day = range("timeframe=24h");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->sinceMicros, (kNow - 86400) * kMicros);
  EXPECT_EQ(day->untilMicros, std::nullopt);
  const auto week = range("timeframe=7d&until=2026-11-23T12:00:00Z");
  ASSERT_TRUE(week.has_value());
  EXPECT_EQ(week->sinceMicros, (kNow - 7 * 86400) * kMicros);
  EXPECT_EQ(week->untilMicros, (kNow + 7200) * kMicros);

  const auto explicitRange = range("since=1795420800&until=2026-11-23T10:00:00Z");
  ASSERT_TRUE(explicitRange.has_value());
  EXPECT_EQ(explicitRange->sinceMicros, 1'795'420'800 * kMicros);
  EXPECT_EQ(explicitRange->untilMicros, kNow * kMicros);

  EXPECT_THAT(refusal(range("since=2026-11-23T10:00:00Z&until=2026-11-23T10:00:00Z")),
              HasSubstr("since must be before until"));
  EXPECT_THAT(refusal(range("since=1795428001&until=1795428000")), HasSubstr("since must be before until"));
  EXPECT_THAT(refusal(range("timeframe=24h&since=1795428000")), HasSubstr("timeframe or since"));
  EXPECT_THAT(refusal(range("timeframe=2d")), HasSubstr("timeframe"));
  EXPECT_THAT(refusal(range("since=yesterday")), HasSubstr("since"));
  EXPECT_THAT(refusal(range("until=2026-13-01T00:00:00Z")), HasSubstr("until"));
}

TEST(ResourceQueryFrom, ReadsTheFiltersOfTheSpec) {
  const auto& pulls = *store::findResource("pulls");
  const auto q =
      resourceQueryFrom(get("/api/v1/pulls",
                            "forge=github&repository=Codertocat%2FHello-World&actor=octocat&state=merged&number=7&"
                            "timeframe=1h&limit=20&cursor=9"),
                        pulls, kNow);
  ASSERT_TRUE(q.has_value()) << q.error().message;
  EXPECT_EQ(q->resource, store::Resource::Pulls);
  EXPECT_EQ(q->forge, "github");
  EXPECT_EQ(q->repository, "Codertocat/Hello-World");
  EXPECT_EQ(q->actor, "octocat");
  EXPECT_EQ(q->state, "merged");
  EXPECT_EQ(q->number, 7);
  EXPECT_EQ(q->since, kNow - 3600);
  EXPECT_EQ(q->until, std::nullopt);
  EXPECT_EQ(q->limit, 20);
  EXPECT_EQ(q->cursor, "9");

  const auto items = resourceQueryFrom(get("/api/v1/items", "owner=alice"), *store::findResource("items"), kNow);
  ASSERT_TRUE(items.has_value());
  EXPECT_EQ(items->actor, "alice");  // items name their actor filter `owner`
  const auto feed =
      resourceQueryFrom(get("/api/v1/activity", "kind=push,,issues,"), *store::findResource("activity"), kNow);
  ASSERT_TRUE(feed.has_value());
  EXPECT_THAT(feed->kinds, ElementsAre("push", "issues"));
}

TEST(ResourceQueryFrom, RefusesAStateOutsideTheSpecsStates) {
  const auto& issues = *store::findResource("issues");
  EXPECT_THAT(refusal(resourceQueryFrom(get("/api/v1/issues", "state=merged"), issues, kNow)),
              AllOf(HasSubstr("state must be one of open, closed, deleted"), HasSubstr("\"merged\"")));
  EXPECT_TRUE(resourceQueryFrom(get("/api/v1/issues", "state=deleted"), issues, kNow).has_value());
  EXPECT_TRUE(resourceQueryFrom(get("/api/v1/pulls", "state=merged"), *store::findResource("pulls"), kNow));
}

TEST(ResourceQueryFrom, RefusesBadValuesNamingTheParameter) {
  const auto& pulls = *store::findResource("pulls");
  auto refused = [&](const char* query) {
    return refusal(resourceQueryFrom(get("/api/v1/pulls", query), pulls, kNow));
  };
  EXPECT_THAT(refused("forge=bitbucket"), HasSubstr("forge"));
  EXPECT_THAT(refused("number=0"), HasSubstr("number"));
  EXPECT_THAT(refused("number=7x"), HasSubstr("number"));
  EXPECT_THAT(refused("limit=0"), HasSubstr("limit"));
  EXPECT_THAT(refused("limit=501"), HasSubstr("limit"));
  EXPECT_THAT(refused("since=soon"), HasSubstr("since"));
}

TEST(CheckOneOf, AcceptsAMemberAndListsTheChoicesOtherwise) {
  constexpr std::array kChoices{"open"sv, "closed"sv};
  EXPECT_TRUE(checkOneOf("state", "closed", kChoices).has_value());
  EXPECT_THAT(refusal(checkOneOf("state", "Closed", kChoices)),
              AllOf(HasSubstr("state must be one of open, closed"), HasSubstr("\"Closed\"")));
  EXPECT_THAT(refusal(checkOneOf("state", "", kChoices)), HasSubstr("state"));
}

}  // namespace
}  // namespace forgehook::api
