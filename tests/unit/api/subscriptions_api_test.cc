// /api/v1/subscriptions through the route table: the JSON contract the dashboard codes against,
// the secret in the create answer only, its format, the filters' names, the URL checks with the
// address guard on (the fixture's default), 404s, and that changes wake the dispatcher.
#include "api/subscriptions_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/api_routes_fixture.h"
#include "verify/hmac.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::vector<std::string> kContract = {"actions",         "consecutive_failures",
                                            "created_at",      "description",
                                            "disabled_reason", "failed",
                                            "forge",           "id",
                                            "last_attempt_at", "last_success_at",
                                            "pending",         "repository",
                                            "resources",       "status",
                                            "updated_at",      "url"};

std::vector<std::string> keysOf(const json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) out.push_back(key);
  std::sort(out.begin(), out.end());
  return out;
}

class SubscriptionsApiTest : public ApiRoutesTest {
 protected:
  json post(const json& body, int status = 201) {
    const auto r = call("POST", "/api/v1/subscriptions", "", body.dump());
    EXPECT_EQ(r.status, status) << r.body;
    return json::parse(r.body);
  }
};

TEST_F(SubscriptionsApiTest, CreateAnswersTheContractAndAGeneratedSecretThatNothingElseShows) {
  const auto created = post({{"url", "https://hooks.example.com/x"}, {"resources", {"pulls"}}});
  auto keys = kContract;
  keys.push_back("secret");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keysOf(created), keys);
  const std::string secret = created["secret"];
  ASSERT_TRUE(secret.starts_with("whsec_"));
  std::string raw;
  ASSERT_TRUE(verify::base64Decode(secret.substr(6), raw));
  EXPECT_EQ(raw.size(), 32u);
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["actions"], json::array());
  EXPECT_EQ(created["repository"], nullptr);

  const auto shown = call("GET", "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>()));
  EXPECT_EQ(keysOf(json::parse(shown.body)), kContract);
  const auto listed = call("GET", "/api/v1/subscriptions");
  for (const auto* body : {&shown.body, &listed.body}) {
    EXPECT_THAT(*body, ::testing::Not(HasSubstr(secret.substr(6))));
    EXPECT_THAT(*body, ::testing::Not(HasSubstr("whsec_")));
  }
  const auto paused = call("POST", "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>()) + "/pause");
  EXPECT_EQ(keysOf(json::parse(paused.body)), kContract);
}

TEST_F(SubscriptionsApiTest, EveryChangeThatCanMakeAMessageDueWakesTheDispatcher) {
  const auto created = post({{"url", "https://hooks.example.com/x"}});
  EXPECT_EQ(subscriptionsChanged_, 1) << "create";
  const std::string path = "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>());
  ASSERT_EQ(call("POST", path + "/pause").status, 200);
  EXPECT_EQ(subscriptionsChanged_, 2) << "pause";
  ASSERT_EQ(call("POST", path + "/resume").status, 200);
  EXPECT_EQ(subscriptionsChanged_, 3) << "resume";
  ASSERT_EQ(call("PATCH", path, "", R"({"url": "https://hooks.example.com/y"})").status, 200);
  EXPECT_EQ(subscriptionsChanged_, 4) << "a new url";
  ASSERT_EQ(call("GET", path).status, 200);
  EXPECT_EQ(subscriptionsChanged_, 4) << "a read wakes nothing";
}

TEST_F(SubscriptionsApiTest, RotateSecretAnswersANewSecretOnceAndPatchCannotSetOne) {
  const auto created = post({{"url", "https://a.example/"}});
  const auto path = "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>());
  const auto rotated = call("POST", path + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string secret = json::parse(rotated.body)["secret"];
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_NE(secret, created["secret"]);
  EXPECT_THAT(call("GET", path).body, ::testing::Not(HasSubstr("whsec_")));
  const std::string given = "whsec_" + verify::base64Encode(std::string(40, 'g'));
  EXPECT_EQ(json::parse(call("POST", path + "/rotate-secret", "", json{{"secret", given}}.dump()).body)["secret"],
            given);
  EXPECT_EQ(call("POST", path + "/rotate-secret", "", R"({"secret": "whsec_"})").status, 400);
  const auto patched = call("PATCH", path, "", json{{"secret", given}}.dump());
  EXPECT_EQ(patched.status, 400);
  EXPECT_THAT(json::parse(patched.body)["message"].get<std::string>(), HasSubstr("rotate-secret"));
  EXPECT_EQ(call("POST", path + "/pause", "", R"({"now": true})").status, 400);
}

TEST_F(SubscriptionsApiTest, AGivenSecretMustBeWhsecAndBase64Of24To64Bytes) {
  EXPECT_EQ(post({{"url", "https://a.example/"},
                  {"secret", "whsec_" + verify::base64Encode(std::string(24, 'k'))}})["secret"],
            "whsec_" + verify::base64Encode(std::string(24, 'k')));
  EXPECT_TRUE(post({{"url", "https://a.example/"}, {"secret", "whsec_" + verify::base64Encode(std::string(64, 'k'))}})
                  .contains("secret"));
  for (const std::string& bad :
       {"whsec_" + verify::base64Encode(std::string(23, 'k')), "whsec_" + verify::base64Encode(std::string(65, 'k')),
        std::string("whsec_***"), verify::base64Encode(std::string(32, 'k'))}) {
    const auto refused = post({{"url", "https://a.example/"}, {"secret", bad}}, 400);
    EXPECT_EQ(refused["error"], "invalid_argument");
    EXPECT_THAT(refused["message"].get<std::string>(), HasSubstr("24 to 64 bytes"));
    EXPECT_THAT(refused["message"].get<std::string>(), ::testing::Not(HasSubstr(bad)));
  }
}

TEST_F(SubscriptionsApiTest, FiltersUseTheChangeFeedsNamesAndUnknownOnesAreNamed) {
  const auto ok = post({{"url", "https://a.example/"},
                        {"resources", {"deliveries", "incidents", "items"}},
                        {"actions", {"created", "deleted"}},
                        {"forge", "gitlab"},
                        {"repository", "group/project"}});
  EXPECT_EQ(ok["resources"], json({"deliveries", "incidents", "items"}));
  EXPECT_EQ(ok["forge"], "gitlab");
  EXPECT_THAT(post({{"url", "https://a.example/"}, {"resources", {"prs"}}}, 400)["message"].get<std::string>(),
              HasSubstr("(got \"prs\")"));
  EXPECT_THAT(post({{"url", "https://a.example/"}, {"actions", {"opened"}}}, 400)["message"].get<std::string>(),
              HasSubstr("opened"));
  EXPECT_THAT(post({{"url", "https://a.example/"}, {"resources", "pulls"}}, 400)["message"].get<std::string>(),
              HasSubstr("array of strings"));
  EXPECT_THAT(post({{"url", "https://a.example/"}, {"forge", "svn"}}, 400)["message"].get<std::string>(),
              HasSubstr("forge must be one of"));
}

TEST_F(SubscriptionsApiTest, TheAddressGuardRefusesPrivateLiteralsAtCreateAndUpdate) {
  EXPECT_THAT(post({{"url", "http://169.254.169.254/latest"}}, 400)["message"].get<std::string>(),
              HasSubstr("link-local"));
  const auto created = post({{"url", "https://a.example/"}});
  const auto path = "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>());
  const auto refused = call("PATCH", path, "", json{{"url", "http://[::1]:8080/"}}.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(json::parse(refused.body)["message"].get<std::string>(), HasSubstr("loopback"));
  EXPECT_EQ(json::parse(call("GET", path).body)["url"], "https://a.example/");
}

TEST_F(SubscriptionsApiTest, UnknownIdsAndSubResourcesAre404) {
  EXPECT_EQ(call("GET", "/api/v1/subscriptions/42").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/subscriptions/42/attempts").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/subscriptions/42/resume").status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/subscriptions/42").status, 404);
  const auto created = post({{"url", "https://a.example/"}});
  const auto path = "/api/v1/subscriptions/" + std::to_string(created["id"].get<int>());
  EXPECT_EQ(call("GET", path + "/nothing").status, 404);
  EXPECT_EQ(call("POST", path + "/explode").status, 404);
  EXPECT_EQ(call("GET", path + "/messages", "status=lost").status, 400);
  EXPECT_EQ(call("GET", path + "/attempts", "status=failed").status, 400);
  EXPECT_EQ(call("GET", path + "/messages", "limit=501").status, 400);
  EXPECT_EQ(call("GET", path + "/messages", "colour=red").status, 400);
}

}  // namespace
}  // namespace forgehook::api
