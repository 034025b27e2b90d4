// [[rules]] and [commands] as loadConfig reads them (src/core/rules_toml.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/config.h"

namespace forgehook::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Config fromToml(const std::string& text) {
  ConfigSources sources;
  sources.tomlText = text;
  return loadConfig(sources);
}

std::string errorOf(const std::string& text) {
  try {
    (void)fromToml(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

constexpr const char* kFullRule = R"(
[commands]
max_running = 4
kill_grace_ms = 500

[[rules]]
name = "deploy-main"
forge = "github"
event = ["push", "workflow_run"]
action = "completed"
repository = ["octo-org/*", "Codertocat/Hello-World"]
branch = "main"
tag = ["v*"]
command = ["/usr/local/bin/deploy", "--sha", "{{/after}}", "{{repository}}"]
workdir = "/srv/deploy"
pass_env = ["DEPLOY_TOKEN", "SSH_AUTH_SOCK"]
payload = "file"
timeout_s = 600
concurrency = 2
max_attempts = 3
retry_delay_s = 30
output_limit_bytes = 1048576

[rules.env]
TARGET = "production"
REF = "{{ref}}"

[[rules.when]]
pointer = "/pusher/name"
equals = "Codertocat"

[[rules.when]]
pointer = "/head_commit/message"
matches = "(?i)deploy"

[[rules.when]]
pointer = "/repository/size"
in = [0, 1, "2"]

[[rules]]
name = "notify"
command = ["notify-send", "{{event}}"]
)";

TEST(RulesToml, ParsesAFullRuleAndTheDefaultsOfAMinimalOne) {
  const Config c = fromToml(kFullRule);
  EXPECT_EQ(c.commands.maxRunning, 4);
  EXPECT_EQ(c.commands.killGraceMs, 500);
  ASSERT_EQ(c.rules.size(), 2u);
  const RuleConfig& r = c.rules[0];
  EXPECT_EQ(r.name, "deploy-main");
  EXPECT_THAT(r.forges, ElementsAre("github"));
  EXPECT_THAT(r.events, ElementsAre("push", "workflow_run"));
  EXPECT_THAT(r.actions, ElementsAre("completed"));
  EXPECT_THAT(r.repositories, ElementsAre("octo-org/*", "Codertocat/Hello-World"));
  EXPECT_THAT(r.branches, ElementsAre("main"));
  EXPECT_THAT(r.tags, ElementsAre("v*"));
  EXPECT_THAT(r.command, ElementsAre("/usr/local/bin/deploy", "--sha", "{{/after}}", "{{repository}}"));
  EXPECT_EQ(r.workdir, "/srv/deploy");
  using Env = std::pair<std::string, std::string>;
  EXPECT_THAT(r.env, ElementsAre(Env{"REF", "{{ref}}"}, Env{"TARGET", "production"}));
  EXPECT_THAT(r.passEnv, ElementsAre("DEPLOY_TOKEN", "SSH_AUTH_SOCK"));
  EXPECT_EQ(r.payload, "file");
  EXPECT_EQ(r.timeoutS, 600);
  EXPECT_EQ(r.concurrency, 2);
  EXPECT_EQ(r.maxAttempts, 3);
  EXPECT_EQ(r.retryDelayS, 30);
  EXPECT_EQ(r.outputLimitBytes, 1'048'576);
  ASSERT_EQ(r.when.size(), 3u);
  EXPECT_EQ(r.when[0].pointer, "/pusher/name");
  EXPECT_EQ(r.when[0].equals, "Codertocat");
  EXPECT_EQ(r.when[1].matches, "(?i)deploy");
  EXPECT_THAT(r.when[2].in, ElementsAre("0", "1", "2"));

  const RuleConfig& minimal = c.rules[1];
  EXPECT_THAT(minimal.command, ElementsAre("notify-send", "{{event}}"));
  EXPECT_THAT(minimal.events, IsEmpty());
  EXPECT_EQ(minimal.workdir, "");
  EXPECT_EQ(minimal.payload, "stdin");
  EXPECT_EQ(minimal.timeoutS, 60);
  EXPECT_EQ(minimal.concurrency, 1);
  EXPECT_EQ(minimal.maxAttempts, 1);
  EXPECT_EQ(minimal.retryDelayS, 10);
  EXPECT_EQ(minimal.outputLimitBytes, 65'536);
}

TEST(RulesToml, NoRulesByDefault) {
  const Config c = loadConfig({});
  EXPECT_THAT(c.rules, IsEmpty());
  EXPECT_EQ(c.commands.maxRunning, 8);
  EXPECT_EQ(c.commands.killGraceMs, 2000);
}

TEST(RulesToml, EachBadValueIsNamed) {
  const std::string ok = "[[rules]]\nname = \"r\"\ncommand = [\"/bin/true\"]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {ok + "tiemout_s = 5\n", "unknown configuration key \"rules[0].tiemout_s\""},
      {ok + "timeout_s = 0\n", "rules[0].timeout_s must be an integer between 1 and 86400"},
      {ok + "timeout_s = \"60\"\n", "rules[0].timeout_s must be an integer"},
      {ok + "concurrency = 65\n", "rules[0].concurrency must be an integer between 1 and 64"},
      {ok + "max_attempts = 21\n", "rules[0].max_attempts"},
      {ok + "retry_delay_s = 0\n", "rules[0].retry_delay_s"},
      {ok + "output_limit_bytes = 1048577\n", "rules[0].output_limit_bytes"},
      {ok + "payload = \"pipe\"\n", "rules[0].payload must be \"stdin\", \"file\" or \"none\""},
      {ok + "forge = \"bitbucket\"\n", "rules[0].forge must be github, gitlab or gitea"},
      {ok + "event = [\"push\", 3]\n", "rules[0].event must be a string"},
      {ok + "branch = \"\"\n", "rules[0].branch must not hold an empty string"},
      {ok + "workdir = \"relative/dir\"\n", "rules[0].workdir must be an absolute path"},
      {ok + "pass_env = [\"OK\", \"NOT-A-NAME\"]\n", "rules[0].pass_env holds \"NOT-A-NAME\""},
      {ok + "[rules.env]\n9LIVES = \"x\"\n", "rules[0].env.9LIVES is not a variable name"},
      {ok + "[rules.env]\nX = 1\n", "rules[0].env.X must be a string"},
      {ok + "[[rules.when]]\npointer = \"/a\"\n", "rules[0].when[0] must have exactly one of equals, in, matches"},
      {ok + "[[rules.when]]\npointer = \"/a\"\nequals = \"x\"\nmatches = \"y\"\n",
       "rules[0].when[0] must have exactly one"},
      {ok + "[[rules.when]]\nequals = \"x\"\n", "rules[0].when[0].pointer is required"},
      {ok + "[[rules.when]]\npointer = \"a\"\nequals = \"x\"\n", "rules[0].when[0].pointer must be a JSON Pointer"},
      {ok + "[[rules.when]]\npointer = \"/a~\"\nequals = \"x\"\n", "rules[0].when[0].pointer must be a JSON Pointer"},
      {ok + "[[rules.when]]\npointer = \"/a\"\nin = []\n", "rules[0].when[0].in must be a non-empty array"},
      {ok + "[[rules.when]]\npointer = \"/a\"\nequals = \"x\"\nop = \"y\"\n", "\"rules[0].when[0].op\""},
      {ok + "[rules.when]\npointer = \"/a\"\n", "rules[0].when must be an array of tables"},
      {"[[rules]]\ncommand = [\"/bin/true\"]\n", "rules[0].name is required"},
      {"[[rules]]\nname = \"r\"\n", "rules[0].command is required"},
      {"[[rules]]\nname = \"r\"\ncommand = []\n", "rules[0].command must be a non-empty array"},
      {"[[rules]]\nname = \"r\"\ncommand = \"/bin/true\"\n", "rules[0].command must be a non-empty array"},
      {"[[rules]]\nname = \"r\"\ncommand = [\"bin/true\"]\n", "rules[0].command must start with an absolute path"},
      {"[[rules]]\nname = \"has space\"\ncommand = [\"/bin/true\"]\n", "rules[0].name must be 1 to 64"},
      {"[[rules]]\nname = \"" + std::string(65, 'a') + "\"\ncommand = [\"/bin/true\"]\n",
       "rules[0].name must be 1 to 64"},
      {ok + ok, "rules[1].name \"r\" is the name of an earlier rule"},
      {"rules = \"x\"\n", "rules must be an array of tables"},
      {"[rules]\nname = \"r\"\n", "rules must be an array of tables ([[rules]])"},
      {"[commands]\nmax_running = 0\n", "commands.max_running must be between 1 and 256"},
      {"[commands]\nkill_grace_ms = 60001\n", "commands.kill_grace_ms must be between 0 and 60000"},
  };
  for (const auto& [toml, message] : cases) EXPECT_THAT(errorOf(toml), HasSubstr(message)) << toml;
}

TEST(RulesToml, DescribeConfigListsRulesWithEnvValuesMasked) {
  const std::string text = describeConfig(fromToml(kFullRule));
  EXPECT_THAT(text, HasSubstr("commands.max_running = 4   # FORGEHOOK_COMMANDS_MAX_RUNNING"));
  EXPECT_THAT(text, HasSubstr("rules[0].name = deploy-main\n"));
  EXPECT_THAT(text, HasSubstr("rules[0].event = [\"push\", \"workflow_run\"]\n"));
  EXPECT_THAT(
      text,
      HasSubstr("rules[0].command = [\"/usr/local/bin/deploy\", \"--sha\", \"{{/after}}\", \"{{repository}}\"]\n"));
  EXPECT_THAT(text, HasSubstr("rules[0].when[1] = /head_commit/message matches \"(?i)deploy\"\n"));
  EXPECT_THAT(text, HasSubstr("rules[0].when[2] = /repository/size in [\"0\", \"1\", \"2\"]\n"));
  EXPECT_THAT(text, HasSubstr("rules[0].env.TARGET = ***\n"));
  EXPECT_THAT(text, Not(HasSubstr("production")));
  EXPECT_THAT(text, HasSubstr("rules[0].pass_env = [\"DEPLOY_TOKEN\", \"SSH_AUTH_SOCK\"]\n"));
  EXPECT_THAT(text, HasSubstr("rules[1].timeout_s = 60\n"));
}

}  // namespace
}  // namespace forgehook::core
