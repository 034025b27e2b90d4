#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/process_runner.h"

namespace forgehook::rules {
namespace {

using ::testing::ElementsAre;
using Env = std::pair<std::string, std::string>;

// Sets this process's environment for one test, and puts the old one back.
class OwnEnvironment {
 public:
  OwnEnvironment(std::vector<Env> set, std::vector<std::string> unset) {
    for (const auto& [name, value] : set) remember(name), ::setenv(name.c_str(), value.c_str(), 1);
    for (const auto& name : unset) remember(name), ::unsetenv(name.c_str());
  }
  ~OwnEnvironment() {
    for (const auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }

 private:
  void remember(const std::string& name) {
    const char* value = ::getenv(name.c_str());
    saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(CommandEnvironment, HoldsTheBasicsPassedNamesExtraAndTheRulesEnvOnly) {
  const OwnEnvironment own({{"PATH", "/opt/bin:/usr/bin"},
                            {"HOME", "/home/forgehook"},
                            {"LANG", "C.UTF-8"},
                            {"DEPLOY_TOKEN", "from-forgehook"},
                            {"FORGEHOOK_ADMIN_TOKEN", "admin-secret"},
                            {"FORGEHOOK_MASTER_KEY", "master-secret"},
                            {"UNRELATED", "x"}},
                           {"LC_ALL", "NOT_SET_ANYWHERE"});
  const Environment ruleEnv{{"PR", "2"}, {"FORGEHOOK_DELIVERY_ID", "from-rule"}};
  const auto env = commandEnvironment(ruleEnv, {"DEPLOY_TOKEN", "NOT_SET_ANYWHERE"},
                                      {{"FORGEHOOK_DELIVERY_ID", "guid"}, {"FORGEHOOK_RULE", "deploy"}});
  EXPECT_THAT(env, ElementsAre(Env{"PATH", "/opt/bin:/usr/bin"}, Env{"LANG", "C.UTF-8"}, Env{"HOME", "/home/forgehook"},
                               Env{"DEPLOY_TOKEN", "from-forgehook"}, Env{"FORGEHOOK_DELIVERY_ID", "from-rule"},
                               Env{"FORGEHOOK_RULE", "deploy"}, Env{"PR", "2"}));
}

TEST(CommandEnvironment, DefaultPathWhenForgehookHasNone) {
  const OwnEnvironment own({}, {"PATH"});
  const auto env = commandEnvironment({}, {}, {});
  ASSERT_FALSE(env.empty());
  EXPECT_EQ(env.front(), (Env{"PATH", "/usr/local/bin:/usr/bin:/bin"}));
}

TEST(CommandEnvironment, RunVariablesNameTheRunAndLeaveOutWhatItDoesNotHave) {
  RunFacts run{"guid", 12, "github", "push", "", "o/r", "deploy", 7, 2, true, "/d/p.json"};
  EXPECT_THAT(runVariables(run),
              ElementsAre(Env{"FORGEHOOK_DELIVERY_ID", "guid"}, Env{"FORGEHOOK_DELIVERY", "12"},
                          Env{"FORGEHOOK_FORGE", "github"}, Env{"FORGEHOOK_EVENT", "push"},
                          Env{"FORGEHOOK_ACTION", ""}, Env{"FORGEHOOK_REPOSITORY", "o/r"},
                          Env{"FORGEHOOK_RULE", "deploy"}, Env{"FORGEHOOK_RUN_ID", "7"}, Env{"FORGEHOOK_ATTEMPT", "2"},
                          Env{"FORGEHOOK_RERUN_AFTER_CRASH", "1"}, Env{"FORGEHOOK_PAYLOAD_FILE", "/d/p.json"}));
  run.runId.reset();
  run.payloadFile.clear();
  const auto dry = runVariables(run);
  for (const auto& [name, value] : dry) {
    EXPECT_NE(name, "FORGEHOOK_RUN_ID") << "a dry run has no run";
    EXPECT_NE(name, "FORGEHOOK_PAYLOAD_FILE");
  }
}

}  // namespace
}  // namespace forgehook::rules
