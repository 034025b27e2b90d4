#include "rules/rule_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/examples.h"

namespace forgehook::rules {
namespace {

using forgehook::testing::examplePayload;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::RuleConfig rule(const std::string& name, std::vector<std::string> command = {"/usr/bin/true"}) {
  core::RuleConfig r;
  r.name = name;
  r.command = std::move(command);
  return r;
}

RuleSet compiled(const std::vector<core::RuleConfig>& rules) {
  auto set = RuleSet::compile(rules);
  if (!set) throw std::runtime_error(set.error().message);
  return *set;
}

// A delivery as the pipeline would describe it; `body` must outlive it.
DeliveryFacts delivery(const std::string& event, const std::string& body, std::string forge = "github") {
  DeliveryFacts d;
  d.id = 42;
  d.forge = std::move(forge);
  d.event = event;
  d.deliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  d.rawBody = body;
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    d.action = json.value("action", "");
    if (json.contains("repository")) d.repository = json["repository"].value("full_name", "");
  }
  return d;
}

// The one verdict of a set of one rule.
RuleVerdict verdictOf(const core::RuleConfig& r, const DeliveryFacts& d) {
  const auto verdicts = compiled({r}).explain(d);
  if (verdicts.size() != 1) throw std::runtime_error("expected one verdict");
  return verdicts.front();
}

// The argv the one rule would run, or its error text.
std::vector<std::string> argvOf(const core::RuleConfig& r, const DeliveryFacts& d) {
  const auto verdict = verdictOf(r, d);
  if (!verdict.invocation) return {"NOT MATCHED: " + verdict.reason};
  if (!verdict.invocation->error.empty()) return {"ERROR: " + verdict.invocation->error};
  return verdict.invocation->argv;
}

// The arguments a rule running /bin/echo with these argument templates would pass (or its error).
std::vector<std::string> echoed(std::vector<std::string> args, const DeliveryFacts& d) {
  args.insert(args.begin(), "/bin/echo");
  auto argv = argvOf(rule("r", std::move(args)), d);
  if (argv.front() == "/bin/echo") argv.erase(argv.begin());
  return argv;
}

std::string compileError(const core::RuleConfig& r) {
  const auto set = RuleSet::compile({rule("first"), r});
  if (set) return "compiled";
  EXPECT_EQ(set.error().code, core::Code::InvalidArgument);
  return set.error().message;
}

const std::string kPullRequest = examplePayload("pull_request", 0);  // opened, base master, PR #2
const std::string kPushBranch = examplePayload("push", 4);           // refs/heads/master
const std::string kPushTag = examplePayload("push", 0);              // refs/tags/simple-tag
const std::string kIssue = examplePayload("issues", 0);

TEST(RuleSet, RuleWithNoFiltersMatchesEveryDelivery) {
  const auto v = verdictOf(rule("any"), delivery("issues", kIssue));
  EXPECT_TRUE(v.matched);
  EXPECT_EQ(v.reason, "matched");
  ASSERT_TRUE(v.invocation);
  EXPECT_THAT(v.invocation->argv, ElementsAre("/usr/bin/true"));
  EXPECT_EQ(v.invocation->payloadMode, "stdin");
}

TEST(RuleSet, ForgeEventActionAndRepositoryEachFilter) {
  const auto pr = delivery("pull_request", kPullRequest);
  auto r = rule("r");
  r.forges = {"gitlab"};
  EXPECT_EQ(verdictOf(r, pr).reason, "forge \"github\" is not one of [\"gitlab\"]");
  r.forges = {"gitlab", "github"};
  r.events = {"push"};
  EXPECT_EQ(verdictOf(r, pr).reason, "event \"pull_request\" is not one of [\"push\"]");
  r.events = {"pull_request"};
  r.actions = {"closed", "reopened"};
  EXPECT_EQ(verdictOf(r, pr).reason, "action \"opened\" is not one of [\"closed\", \"reopened\"]");
  r.actions = {"opened"};
  r.repositories = {"octo-org/*"};
  EXPECT_EQ(verdictOf(r, pr).reason, "repository \"Codertocat/Hello-World\" does not match [\"octo-org/*\"]");
  r.repositories = {"octo-org/*", "Codertocat/*"};
  EXPECT_TRUE(verdictOf(r, pr).matched);
  r.actions = {"opened"};
  EXPECT_EQ(verdictOf(r, delivery("push", kPushBranch)).reason, "event \"push\" is not one of [\"pull_request\"]");
}

TEST(RuleSet, ListsDoNotMatchADeliveryWithoutTheirField) {
  auto r = rule("r");
  r.actions = {"opened"};
  EXPECT_EQ(verdictOf(r, delivery("push", kPushBranch)).reason, "the delivery has no action");
  r = rule("r");
  r.branches = {"*"};
  EXPECT_EQ(verdictOf(r, delivery("issues", kIssue)).reason, "the delivery has no branch");
}

TEST(RuleSet, RepositoryGlobsMatchAnyRunOfCharacters) {
  auto r = rule("r");
  const auto pr = delivery("pull_request", kPullRequest);
  for (const std::string pattern :
       {"*", "Codertocat/*", "*/Hello-World", "Code*cat/Hello*", "Codertocat/Hello-World"}) {
    r.repositories = {pattern};
    EXPECT_TRUE(verdictOf(r, pr).matched) << pattern;
  }
  for (const std::string pattern : {"codertocat/*", "Codertocat", "*/Hello", "Codertocat/Hello-World/*"}) {
    r.repositories = {pattern};
    EXPECT_FALSE(verdictOf(r, pr).matched) << pattern;
  }
}

TEST(RuleSet, PushRefGivesBranchOrTag) {
  auto r = rule("r", {"/bin/echo", "{{branch}}", "{{ref}}"});
  r.branches = {"mas*"};
  EXPECT_THAT(argvOf(r, delivery("push", kPushBranch)), ElementsAre("/bin/echo", "master", "refs/heads/master"));
  EXPECT_EQ(verdictOf(r, delivery("push", kPushTag)).reason, "the delivery has no branch");
  r = rule("r", {"/bin/echo", "{{tag}}", "{{ref}}"});
  r.tags = {"simple-*"};
  EXPECT_THAT(argvOf(r, delivery("push", kPushTag)), ElementsAre("/bin/echo", "simple-tag", "refs/tags/simple-tag"));
  EXPECT_EQ(verdictOf(r, delivery("push", kPushBranch)).reason, "the delivery has no tag");
}

TEST(RuleSet, CreateAndDeleteUseRefType) {
  auto r = rule("r", {"/bin/echo", "{{tag}}", "{{ref}}"});
  r.tags = {"simple-tag"};
  EXPECT_THAT(argvOf(r, delivery("create", examplePayload("create", 0))),
              ElementsAre("/bin/echo", "simple-tag", "refs/tags/simple-tag"));
  auto branch = nlohmann::json::parse(examplePayload("delete", 0));
  branch["ref"] = "feature/x";
  branch["ref_type"] = "branch";
  const std::string body = branch.dump();
  r = rule("r", {"/bin/echo", "{{branch}}", "{{ref}}"});
  r.branches = {"feature/*"};
  EXPECT_THAT(argvOf(r, delivery("delete", body)), ElementsAre("/bin/echo", "feature/x", "refs/heads/feature/x"));
}

TEST(RuleSet, PullRequestBranchIsTheBaseBranch) {
  auto r = rule("r", {"/bin/echo", "{{branch}}"});
  r.branches = {"master"};
  EXPECT_THAT(argvOf(r, delivery("pull_request", kPullRequest)), ElementsAre("/bin/echo", "master"));
  r.branches = {"changes"};  // the head branch of that pull request
  EXPECT_EQ(verdictOf(r, delivery("pull_request", kPullRequest)).reason,
            "branch \"master\" does not match [\"changes\"]");
}

TEST(RuleSet, RunsAndChecksUseTheHeadBranch) {
  const auto branchOf = [](const std::string& event) {
    const std::string body = examplePayload(event, 0);
    return echoed({"{{branch}}"}, delivery(event, body)).front();
  };
  EXPECT_EQ(branchOf("workflow_run"), "main");
  EXPECT_EQ(branchOf("check_suite"), "changes");
  EXPECT_EQ(branchOf("check_run"), "changes");
}

TEST(RuleSet, ReleaseTagIsItsTagName) {
  const std::string body = examplePayload("release", 0);
  EXPECT_THAT(argvOf(rule("r", {"/bin/echo", "{{tag}}"}), delivery("release", body)),
              ElementsAre("/bin/echo", "0.0.1"));
}

TEST(RuleSet, GitLabBranchesAndTags) {
  const std::string mergeRequest = forgehook::testing::gitLabFixture("merge_request.json");
  auto r = rule("r", {"/bin/echo", "{{branch}}"});
  r.forges = {"gitlab"};
  r.branches = {"master"};
  EXPECT_THAT(argvOf(r, delivery("Merge Request Hook", mergeRequest, "gitlab")), ElementsAre("/bin/echo", "master"));
  auto pipeline = nlohmann::json::parse(forgehook::testing::gitLabFixture("pipeline.json"));
  EXPECT_THAT(argvOf(r, delivery("Pipeline Hook", pipeline.dump(), "gitlab")), ElementsAre("/bin/echo", "master"));
  pipeline["object_attributes"]["ref"] = "v2.0";
  pipeline["object_attributes"]["tag"] = true;
  const std::string tagPipeline = pipeline.dump();
  EXPECT_THAT(echoed({"{{tag}}"}, delivery("Pipeline Hook", tagPipeline, "gitlab")), ElementsAre("v2.0"));
  // GitLab's documented push and job shapes: a full ref, and a short ref with a boolean `tag`.
  const std::string push = R"({"object_kind":"push","ref":"refs/heads/release/1.2","project":{}})";
  EXPECT_THAT(echoed({"{{branch}}"}, delivery("Push Hook", push, "gitlab")), ElementsAre("release/1.2"));
  const std::string tagPush = R"({"object_kind":"tag_push","ref":"refs/tags/v1.0.0"})";
  EXPECT_THAT(echoed({"{{tag}}"}, delivery("Tag Push Hook", tagPush, "gitlab")), ElementsAre("v1.0.0"));
  const std::string job = R"({"object_kind":"build","ref":"v3","tag":true})";
  EXPECT_THAT(echoed({"{{tag}}", "{{ref}}"}, delivery("Job Hook", job, "gitlab")), ElementsAre("v3", "refs/tags/v3"));
}

TEST(RuleSet, ConditionEqualsComparesNumbersAndBooleansAsJsonText) {
  auto r = rule("r");
  r.when = {{"/number", "2", {}, {}}, {"/pull_request/draft", "false", {}, {}}, {"/action", "opened", {}, {}}};
  EXPECT_TRUE(verdictOf(r, delivery("pull_request", kPullRequest)).matched);
  r.when[1].equals = "true";
  EXPECT_EQ(verdictOf(r, delivery("pull_request", kPullRequest)).reason,
            "when[1]: /pull_request/draft is \"false\", not \"true\"");
}

TEST(RuleSet, ConditionInAndMatches) {
  auto r = rule("r");
  r.when = {{"/pull_request/base/ref", {}, {"main", "master"}, {}}, {"/pull_request/title", {}, {}, "R[A-Z]+ME"}};
  EXPECT_TRUE(verdictOf(r, delivery("pull_request", kPullRequest)).matched);  // search: "...the README with..."
  r.when[1].matches = "^README";
  EXPECT_EQ(verdictOf(r, delivery("pull_request", kPullRequest)).reason,
            "when[1]: /pull_request/title \"Update the README with new information.\" does not match \"^README\"");
  r.when[0].in = {"main"};
  EXPECT_EQ(verdictOf(r, delivery("pull_request", kPullRequest)).reason,
            "when[0]: /pull_request/base/ref \"master\" is not one of the `in` values");
}

TEST(RuleSet, ConditionOnAMissingPointerIsFalse) {
  auto r = rule("r");
  r.when = {{"/pull_request/merged_by/login", {}, {}, ".*"}};
  EXPECT_EQ(verdictOf(r, delivery("pull_request", kPullRequest)).reason,
            "when[0]: /pull_request/merged_by/login is not in the payload");
  r.when = {{"/labels/0/name", "bug", {}, {}}};  // an index into nothing
  EXPECT_FALSE(verdictOf(r, delivery("issues", kIssue)).matched);
}

TEST(RuleSet, PointerWalksArraysAndEscapes) {
  auto body = nlohmann::json::parse(kPullRequest);
  body["pull_request"]["labels"] = nlohmann::json::array({{{"name", "a/b"}}, {{"name", "ci~ok"}}});
  body["x/y"] = {{"m~n", "escaped"}};
  const std::string text = body.dump();
  EXPECT_THAT(echoed({"{{/pull_request/labels/1/name}}", "{{/x~1y/m~0n}}", "{{/pull_request/labels}}"},
                     delivery("pull_request", text)),
              ElementsAre("ci~ok", "escaped", R"([{"name":"a/b"},{"name":"ci~ok"}])"));
  // RFC 6901: no leading zeros
  EXPECT_THAT(echoed({"{{/pull_request/labels/01/name}}"}, delivery("pull_request", text)).front(),
              HasSubstr("is not in the payload"));
}

TEST(RuleSet, TemplateValueIsOneArgvElementWhateverItHolds) {
  const std::string hostile = R"($(touch /tmp/pwned); rm -rf / ; `id` "quoted" 'single' | & > < {{branch}} *)";
  auto body = nlohmann::json::parse(kPullRequest);
  body["pull_request"]["title"] = hostile;
  const std::string text = body.dump();
  const auto r = rule("notify", {"/usr/local/bin/notify", "--title", "{{/pull_request/title}}", "pr-{{/number}}"});
  EXPECT_THAT(argvOf(r, delivery("pull_request", text)),
              ElementsAre("/usr/local/bin/notify", "--title", hostile, "pr-2"));
}

TEST(RuleSet, BuiltinsResolve) {
  auto r = rule("deploy", {"/bin/echo", "{{delivery_id}}", "{{delivery}}", "{{forge}}", "{{event}}", "{{action}}",
                           "{{repository}}", "{{branch}}", "{{ref}}", "{{rule}}", "{{ forge }}"});
  EXPECT_THAT(argvOf(r, delivery("pull_request", kPullRequest)),
              ElementsAre("/bin/echo", "72d3162e-cc78-11e3-81ab-4c9367dc0958", "42", "github", "pull_request", "opened",
                          "Codertocat/Hello-World", "master", "refs/heads/master", "deploy", "github"));
}

TEST(RuleSet, EnvAndWorkdirAreTemplatesToo) {
  auto r = rule("r");
  r.env = {{"PR_NUMBER", "{{/number}}"}, {"REPO", "{{repository}}"}};
  r.workdir = "/srv/{{/repository/name}}";
  r.payload = "file";
  const auto v = verdictOf(r, delivery("pull_request", kPullRequest));
  ASSERT_TRUE(v.invocation);
  using Env = std::pair<std::string, std::string>;
  EXPECT_THAT(v.invocation->env, ElementsAre(Env{"PR_NUMBER", "2"}, Env{"REPO", "Codertocat/Hello-World"}));
  EXPECT_EQ(v.invocation->workdir, "/srv/Hello-World");
  EXPECT_EQ(v.invocation->payloadMode, "file");
}

TEST(RuleSet, MissingPointerSetsTheInvocationErrorAndNoArgv) {
  auto r = rule("r", {"/bin/echo", "{{/pull_request/merged_by/login}}"});
  const auto matched = compiled({r}).match(delivery("pull_request", kPullRequest));
  ASSERT_EQ(matched.size(), 1u);  // still matched: the caller records the failure
  EXPECT_EQ(matched[0].error, "command[1]: /pull_request/merged_by/login is not in the payload");
  EXPECT_THAT(matched[0].argv, IsEmpty());
  r = rule("r");
  r.env = {{"TITLE", "{{/nope}}"}};
  EXPECT_EQ(compiled({r}).match(delivery("issues", kIssue))[0].error, "env.TITLE: /nope is not in the payload");
}

TEST(RuleSet, BuiltinWithoutValueIsAnError) {
  const auto r = rule("r", {"/bin/echo", "{{action}}"});
  EXPECT_THAT(argvOf(r, delivery("push", kPushBranch)),
              ElementsAre("ERROR: command[1]: {{action}} has no value for this delivery"));
}

TEST(RuleSet, FourBracesWriteTwo) {
  EXPECT_THAT(echoed({"{{{{branch}} is {{branch}}}}"}, delivery("push", kPushBranch)),
              ElementsAre("{{branch}} is master}}"));
}

TEST(RuleSet, PayloadThatIsNotJsonMatchesOnlyRulesThatDoNotReadIt) {
  const std::string body = "payload=not-json";
  auto plain = rule("plain", {"/bin/echo", "{{event}}"});
  auto conditional = rule("conditional");
  conditional.when = {{"/action", "opened", {}, {}}};
  auto templated = rule("templated", {"/bin/echo", "{{/action}}"});
  const auto set = compiled({plain, conditional, templated});
  const auto verdicts = set.explain(delivery("push", body));
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_TRUE(verdicts[0].matched);
  EXPECT_EQ(verdicts[1].reason, "the payload is not JSON, and the rule reads it");
  EXPECT_EQ(verdicts[2].reason, "the payload is not JSON, and the rule reads it");
  const auto matched = set.match(delivery("push", body));
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_THAT(matched[0].argv, ElementsAre("/bin/echo", "push"));
}

TEST(RuleSet, MatchReturnsMatchedRulesInConfigOrder) {
  auto a = rule("a");
  auto b = rule("b");
  b.events = {"issues"};
  auto c = rule("c");
  const auto matched = compiled({a, b, c}).match(delivery("push", kPushBranch));
  ASSERT_EQ(matched.size(), 2u);
  EXPECT_EQ(matched[0].rule, "a");
  EXPECT_EQ(matched[1].rule, "c");
}

TEST(RuleSet, LooksUpRulesByName) {
  const auto set = compiled({rule("a"), rule("b", {"/bin/b"})});
  ASSERT_NE(set.rule("b"), nullptr);
  EXPECT_THAT(set.rule("b")->command, ElementsAre("/bin/b"));
  EXPECT_EQ(set.rule("c"), nullptr);
  EXPECT_EQ(set.rules().size(), 2u);
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(RuleSet().empty());
  EXPECT_THAT(RuleSet().match(delivery("push", kPushBranch)), IsEmpty());
}

TEST(RuleSet, OneSetMatchesFromManyThreadsAtOnce) {
  auto r = rule("r", {"/bin/echo", "{{/pull_request/title}}"});
  r.when = {{"/pull_request/title", {}, {}, "README"}};
  const auto set = compiled({r});
  std::vector<std::thread> threads;
  std::vector<std::size_t> matches(4);
  for (std::size_t t = 0; t < matches.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) matches[t] += set.match(delivery("pull_request", kPullRequest)).size();
    });
  for (auto& thread : threads) thread.join();
  for (const auto count : matches) EXPECT_EQ(count, 200u);
}

TEST(RuleSet, CompileNamesTheRuleAndFieldOfAnError) {
  auto r = rule("bad");
  r.when = {{"/title", {}, {}, "(unclosed"}};
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).when[0]: bad regular expression \"(unclosed\""));
  r = rule("bad", {"/usr/bin/{{repository}}"});
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).command[0]: the program must be written out"));
  r = rule("bad", {"/bin/echo", "{{sha}}"});
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).command[1]: unknown placeholder {{sha}}"));
  r = rule("bad", {"/bin/echo", "{{branch"});
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).command[1]: unclosed \"{{\""));
  r = rule("bad", {"/bin/echo", "{{}}"});
  EXPECT_THAT(compileError(r), HasSubstr("unknown placeholder {{}}"));
  r = rule("bad");
  r.env = {{"X", "{{/a~2}}"}};
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).env.X: bad JSON Pointer {{/a~2}}"));
  r = rule("bad");
  r.workdir = "/srv/{{nope}}";
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).workdir: unknown placeholder {{nope}}"));
  r = rule("bad");
  r.when = {{"a/b", "x", {}, {}}};
  EXPECT_THAT(compileError(r), HasSubstr("rules[1] (bad).when[0]: bad JSON Pointer \"a/b\""));
}

}  // namespace
}  // namespace forgehook::rules
