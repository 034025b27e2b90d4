#include "api/rules_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rules/rule_set.h"
#include "support/sqlite_fixture.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

core::RuleConfig ruleFor(std::string name, std::string event, std::vector<std::string> argv) {
  core::RuleConfig r;
  r.name = std::move(name);
  r.events = {std::move(event)};
  r.command = std::move(argv);
  return r;
}

class RulesApiTest : public store::sqlite::SqliteTest {
 protected:
  RulesApiTest() : store_(open()) {
    auto echo = ruleFor("echo-action", "issues", {"/bin/echo", "{{/action}}", "{{delivery_id}}"});
    echo.env = {{"WHO", "{{repository}}"}, {"FORGEHOOK_RULE", "overridden"}};
    echo.passEnv = {"DEPLOY_TOKEN"};
    echo.payload = "file";
    auto missing = ruleFor("needs-title", "issues", {"/bin/echo", "{{/issue/title}}"});
    auto pushes = ruleFor("pushes-only", "push", {"/bin/true"});
    rules_ = *rules::RuleSet::compile({echo, missing, pushes});
  }

  http::Response test(const std::string& body) {
    http::Request r;
    r.method = "POST";
    r.path = "/api/v1/rules/test";
    r.body = body;
    r.headers = {{"Content-Type", "application/json"}};
    return RulesApi(&rules_, store_->log, "/var/lib/forgehook").test(r);
  }

  std::unique_ptr<store::sqlite::SqliteRoles> store_;
  rules::RuleSet rules_;
};

TEST_F(RulesApiTest, ADryRunNamesEveryRuleWithTheExactCommandOrWhyNot) {
  const auto id = appendOne(*store_, store::sqlite::delivery("github", "h", "guid-1"));
  const auto r = test(R"({"delivery": )" + std::to_string(id) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = json::parse(r.body);
  EXPECT_EQ(answer["delivery"]["delivery_id"], "guid-1");
  const auto& rules = answer["rules"];
  ASSERT_EQ(rules.size(), 3u);

  EXPECT_EQ(rules[0]["rule"], "echo-action");
  EXPECT_EQ(rules[0]["matched"], true);
  const auto& command = rules[0]["command"];
  EXPECT_EQ(command["argv"], json::array({"/bin/echo", "opened", "guid-1"}));
  EXPECT_EQ(command["env"]["WHO"], "Codertocat/Hello-World");
  EXPECT_EQ(command["env"]["FORGEHOOK_DELIVERY_ID"], "guid-1");
  EXPECT_EQ(command["env"]["FORGEHOOK_ATTEMPT"], "1");
  EXPECT_EQ(command["env"]["FORGEHOOK_RULE"], "overridden") << "the rule's env wins, as when it runs";
  EXPECT_TRUE(command["env"].contains("FORGEHOOK_PAYLOAD_FILE")) << "payload = file";
  EXPECT_FALSE(command["env"].contains("FORGEHOOK_RUN_ID")) << "no run exists yet";
  EXPECT_EQ(command["pass_env"], json::array({"DEPLOY_TOKEN"})) << "by name only";
  EXPECT_EQ(command["workdir"], "/var/lib/forgehook") << "a rule without workdir runs in the data directory";
  EXPECT_EQ(command["payload"], "file");
  EXPECT_TRUE(rules[0]["error"].is_null());

  EXPECT_EQ(rules[1]["rule"], "needs-title");
  EXPECT_EQ(rules[1]["matched"], true);
  EXPECT_THAT(rules[1]["error"].get<std::string>(), HasSubstr("/issue/title")) << "it would fail: nothing runs";

  EXPECT_EQ(rules[2]["matched"], false);
  EXPECT_THAT(rules[2]["reason"].get<std::string>(), HasSubstr("issues"));
  EXPECT_TRUE(rules[2]["command"].is_null());
}

TEST_F(RulesApiTest, BadBodiesAndUnknownDeliveriesAreRefused) {
  for (const char* body : {"", "{}", R"({"delivery": "1"})", R"({"delivery": 0})", R"({"delivery": 1, "x": 2})"}) {
    SCOPED_TRACE(body);
    const auto r = test(body);
    EXPECT_EQ(r.status, 400) << r.body;
  }
  EXPECT_EQ(test(R"({"delivery": 999})").status, 404);
}

TEST_F(RulesApiTest, TheListShowsEachRuleAsConfiguredWithoutPassEnvValues) {
  ::setenv("DEPLOY_TOKEN", "hunter2-secret", 1);
  const auto r = RulesApi(&rules_, store_->log, "/d").list({});
  ::unsetenv("DEPLOY_TOKEN");
  ASSERT_EQ(r.status, 200);
  const auto rules = json::parse(r.body)["rules"];
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0]["name"], "echo-action");
  EXPECT_EQ(rules[0]["command"], json::array({"/bin/echo", "{{/action}}", "{{delivery_id}}"}));
  EXPECT_EQ(rules[0]["payload"], "file");
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("hunter2")));
  EXPECT_EQ(json::parse(RulesApi(nullptr, store_->log, "/d").list({}).body)["rules"].size(), 0u)
      << "no rules configured";
}

}  // namespace
}  // namespace forgehook::api
