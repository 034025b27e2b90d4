// A GitHub App credential: the installation lookup made with a JWT, installation tokens minted,
// cached, replaced 5 minutes before expiry and after a 401, and one budget per installation.
#include "forge/github_app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.h"
#include "forge/scripted_client_test.h"
#include "forge/test_rsa_key.h"

namespace forgehook::forge {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kApi = "https://ghe.example/api/v3";
const std::string kHooks = kApi + "/repos/octo/app/hooks?per_page=100";
const HookTarget kTarget{HookTarget::Kind::Repository, "octo/app"};

class GitHubAppTest : public ScriptedClientTest {
 protected:
  void SetUp() override {
    makeClient({core::Forge::GitHub, kApi, ForgeCredential::Kind::App, "", "4242", testRsaKey().privatePem});
  }
  void expectInstallation() {
    http->expect("GET", kApi + "/repos/octo/app/installation", 200, R"({"id":77,"app_id":4242})");
  }
  void expectToken(const std::string& token, std::int64_t lifetimeSeconds = 3600) {
    http->expect("POST", kApi + "/app/installations/77/access_tokens", 201,
                 R"({"token":")" + token + R"(","expires_at":")" +
                     core::formatRfc3339Seconds(clock.nowSeconds() + lifetimeSeconds) + R"("})");
  }
};

TEST_F(GitHubAppTest, FindsTheInstallationWithAJwtAndCallsWithItsToken) {
  expectInstallation();
  expectToken("ghs_first");
  http->expect("GET", kHooks, 200, "[]");
  ASSERT_TRUE(client->listHooks(kTarget));
  const auto sent = http->sent();
  ASSERT_EQ(sent.size(), 3u);
  const auto jwtHeader = sentHeader(sent[0], "Authorization").value_or("");
  EXPECT_THAT(jwtHeader, StartsWith("Bearer ey"));
  const std::string jwt = jwtHeader.substr(7);
  const auto lastDot = jwt.rfind('.');
  EXPECT_TRUE(verifyRs256(jwt.substr(0, lastDot), base64UrlDecode(jwt.substr(lastDot + 1))));
  EXPECT_EQ(sentHeader(sent[1], "Authorization"), jwtHeader);
  EXPECT_EQ(sentHeader(sent[1], "X-GitHub-Api-Version"), "2022-11-28");
  EXPECT_EQ(sentHeader(sent[2], "Authorization"), "Bearer ghs_first");
}

TEST_F(GitHubAppTest, CachesTheTokenUntilFiveMinutesBeforeItExpires) {
  expectInstallation();
  expectToken("ghs_first");
  http->expect("GET", kHooks, 200, "[]");
  ASSERT_TRUE(client->listHooks(kTarget));

  clock.advanceSeconds(54 * 60);  // 6 minutes left: still used
  http->expect("GET", kHooks, 200, "[]");
  ASSERT_TRUE(client->listHooks(kTarget));
  EXPECT_EQ(sentHeader(http->lastSent(), "Authorization"), "Bearer ghs_first");

  clock.advanceSeconds(2 * 60);  // 4 minutes left: replaced, installation still known
  expectToken("ghs_second");
  http->expect("GET", kHooks, 200, "[]");
  ASSERT_TRUE(client->listHooks(kTarget));
  EXPECT_EQ(sentHeader(http->lastSent(), "Authorization"), "Bearer ghs_second");
  EXPECT_EQ(http->pending(), 0u);
}

TEST_F(GitHubAppTest, A401OnACachedTokenMintsAFreshOneAndRetriesOnce) {
  expectInstallation();
  expectToken("ghs_first");
  http->expect("GET", kHooks, 200, "[]");
  ASSERT_TRUE(client->listHooks(kTarget));

  http->expect("GET", kHooks, 401, R"({"message":"Bad credentials"})");
  expectToken("ghs_fresh");
  http->expect("GET", kHooks, 200, "[]");
  const auto hooks = client->listHooks(kTarget);
  ASSERT_TRUE(hooks) << hooks.error().message;
  EXPECT_EQ(sentHeader(http->lastSent(), "Authorization"), "Bearer ghs_fresh");
  EXPECT_EQ(http->pending(), 0u);
}

TEST_F(GitHubAppTest, ReportsAnAppNotInstalledOnTheTarget) {
  http->expect("GET", kApi + "/repos/octo/app/installation", 404, R"({"message":"Not Found"})");
  const auto hooks = client->listHooks(kTarget);
  ASSERT_FALSE(hooks);
  EXPECT_EQ(hooks.error().reason, "forge_not_found");
  EXPECT_THAT(hooks.error().message, HasSubstr("not installed on octo/app"));
}

TEST_F(GitHubAppTest, OrganisationTargetsUseTheOrgInstallation) {
  http->expect("GET", kApi + "/orgs/octo/installation", 200, R"({"id":77})");
  expectToken("ghs_org");
  http->expect("GET", kApi + "/orgs/octo/hooks?per_page=100", 200, "[]");
  ASSERT_TRUE(client->listHooks({HookTarget::Kind::Organization, "octo"}));
}

TEST_F(GitHubAppTest, EachInstallationHasItsOwnBudget) {
  expectInstallation();
  expectToken("ghs_first");
  http->expect("GET", kHooks, 200, "[]", {{"x-ratelimit-limit", "15000"}, {"x-ratelimit-remaining", "14999"}});
  ASSERT_TRUE(client->listHooks(kTarget));
  const auto budgets = client->budgets();
  ASSERT_EQ(budgets.size(), 2u);
  EXPECT_EQ(budgets[0].credential, "GitHub App 4242");
  EXPECT_EQ(budgets[0].calls, 2);
  EXPECT_EQ(budgets[1].credential, "GitHub App installation 77");
  EXPECT_EQ(budgets[1].limit, 15000);
  EXPECT_EQ(budgets[1].calls, 1);
}

TEST_F(GitHubAppTest, AccessReportNamesTheInstallation) {
  expectInstallation();
  expectToken("ghs_first");
  http->expect("GET", kApi + "/repos/octo/app/hooks?per_page=1", 200, "[]");
  http->expect("GET", kApi + "/repos/octo/app", 200, R"({"full_name":"octo/app"})");
  const auto report = client->checkAccess(kTarget);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->credential, "GitHub App installation 77");
  EXPECT_TRUE(report->canManageHooks);
  EXPECT_TRUE(report->scopes.empty());
}

}  // namespace
}  // namespace forgehook::forge
