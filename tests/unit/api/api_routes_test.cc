#include "api/api_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>

#include "api/query_params.h"
#include "http/router.h"
#include "support/api_routes_fixture.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A value each list parameter accepts.
std::string validValue(std::string_view param, const store::ResourceSpec& spec) {
  static const std::map<std::string_view, std::string> values{
      {"forge", "github"},     {"repository", "Codertocat%2FHello-World"},
      {"actor", "octocat"},    {"owner", "alice"},
      {"number", "7"},         {"kind", "push,issues"},
      {"since", "1795420800"}, {"until", "2026-11-23T10:00:00Z"},
      {"timeframe", "24h"},    {"limit", "10"}};
  if (param == "state") return std::string(spec.states.front());
  if (param == "cursor") return spec.resource == store::Resource::Activity ? "1795428000.5" : "5";
  const auto it = values.find(param);
  return it == values.end() ? "<no value for " + std::string(param) + ">" : it->second;
}

TEST_F(ApiRoutesTest, EveryApiRouteRefusesAMissingOrWrongAdminToken) {
  const std::string wrong = "not-the-token";
  int checked = 0;
  for (const auto& route : api_.routes()) {
    if (!route.path.starts_with("/api/")) continue;
    // Signing in takes the token in the body (session_api_test.cc covers a wrong one).
    if (route.method == "POST" && route.path == "/api/v1/session") continue;
    std::string path = route.path;
    if (path.ends_with('*')) path.back() = '1';
    SCOPED_TRACE(route.method + " " + path);
    for (const std::string* token : {static_cast<const std::string*>(nullptr), &wrong}) {
      const auto r = call(route.method, path, "", "{}", token);
      EXPECT_EQ(r.status, 401);
      EXPECT_EQ(json::parse(r.body)["error"], "unauthorized");
    }
    ++checked;
  }
  EXPECT_GE(checked, 21 + static_cast<int>(store::resourceSpecs().size()));
  EXPECT_EQ(pipeline_.requeues, 0);  // nothing ran
  EXPECT_EQ(call("GET", "/healthz", "", "", nullptr).status, 200);
  EXPECT_EQ(call("GET", "/metrics", "", "", nullptr).status, 200);
}

TEST_F(ApiRoutesTest, EveryListRouteRefusesAnUnknownParameterAndAcceptsEachOfItsOwn) {
  for (const auto& spec : store::resourceSpecs()) {
    const std::string path = "/api/v1/" + std::string(spec.name);
    SCOPED_TRACE(path);
    const auto refused = call("GET", path, "repo=Codertocat%2FHello-World");
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(json::parse(refused.body)["error"], "invalid_argument");
    EXPECT_THAT(json::parse(refused.body)["message"].get<std::string>(), HasSubstr("\"repo\""));
    for (const auto param : listParams(spec)) {
      const std::string query = std::string(param) + "=" + validValue(param, spec);
      const auto r = call("GET", path, query);
      EXPECT_EQ(r.status, 200) << query << ": " << r.body;
      EXPECT_TRUE(json::parse(r.body).contains(spec.name)) << query;
    }
    // All of them at once, except the exclusive pair since/timeframe.
    std::string all;
    for (const auto param : listParams(spec)) {
      if (param == "timeframe") continue;
      if (!all.empty()) all += '&';
      all.append(param).append("=").append(validValue(param, spec));
    }
    EXPECT_EQ(call("GET", path, all).status, 200) << all;
  }
}

TEST_F(ApiRoutesTest, ReplayAndRebuildTellTheQueueListener) {
  const auto id = appendDelivery("d-1");
  auto replayOne = call("POST", "/api/v1/deliveries/" + std::to_string(id) + "/replay");
  EXPECT_EQ(replayOne.status, 202) << replayOne.body;
  EXPECT_EQ(json::parse(replayOne.body)["requeued"], 1);
  EXPECT_EQ(pipeline_.requeues, 1);

  const auto replay = call("POST", "/api/v1/replay", "", R"({"all": true})");
  EXPECT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["requeued"], 1);
  EXPECT_EQ(pipeline_.requeues, 2);
  // "all" beside a filter is that filter: here it matches nothing.
  const auto filtered = call("POST", "/api/v1/replay", "", R"({"all": true, "event": "no_such_event"})");
  EXPECT_EQ(filtered.status, 202) << filtered.body;
  EXPECT_EQ(json::parse(filtered.body)["requeued"], 0);
  EXPECT_EQ(pipeline_.requeues, 3);

  appendDelivery("d-2");
  const auto rebuild = call("POST", "/api/v1/rebuild");
  EXPECT_EQ(rebuild.status, 202) << rebuild.body;
  EXPECT_EQ(json::parse(rebuild.body)["requeued"], 2);
  EXPECT_EQ(pipeline_.requeues, 4);

  // Refused replays queue nothing and wake nobody.
  EXPECT_EQ(call("POST", "/api/v1/deliveries/999/replay").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/replay", "", "{}").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/rebuild", "now=1").status, 400);
  EXPECT_EQ(pipeline_.requeues, 4);
  EXPECT_EQ(pipeline_.committed, 0);
}

TEST_F(ApiRoutesTest, PublicProbesIgnoreAQueryWhileApiRoutesRefuseIt) {
  const auto ok = call("GET", "/healthz", "", "", nullptr);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body)["status"], "ok");
  for (const char* path : {"/healthz", "/readyz", "/metrics"})
    EXPECT_EQ(call("GET", path, "_=1700000000", "", nullptr).status, 200) << path;  // an uptime checker's cache-buster
  const auto refused = call("GET", "/api/v1/secrets", "_=1700000000");
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("takes no query parameters"));
}

}  // namespace
}  // namespace forgehook::api
