// Credential validation (clear errors, no secret in them) and the client each forge gets.
#include "forge/client_factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "forge/fake_forge_http.h"
#include "forge/rate_budget_registry.h"
#include "forge/test_rsa_key.h"

namespace forgehook::forge {
namespace {

using ::testing::HasSubstr;

ForgeCredential token(core::Forge forge, std::string apiUrl, std::string value = "tok") {
  return {forge, std::move(apiUrl), ForgeCredential::Kind::Token, std::move(value), "", ""};
}

TEST(ClientFactoryTest, AcceptsHttpAndHttpsApiUrls) {
  EXPECT_TRUE(validateForgeCredential(token(core::Forge::GitHub, "https://api.github.com")));
  EXPECT_TRUE(validateForgeCredential(token(core::Forge::Gitea, "http://127.0.0.1:3000")));
  EXPECT_TRUE(validateForgeCredential(token(core::Forge::GitHub, "https://ghe.example/api/v3")));
}

TEST(ClientFactoryTest, RefusesOtherApiUrls) {
  for (const char* url : {"", "api.github.com", "ftp://x", "https://", "https:///path", "file:///etc/passwd",
                          "https://x/?q=1"}) {
    const auto valid = validateForgeCredential(token(core::Forge::GitHub, url));
    ASSERT_FALSE(valid) << url;
    EXPECT_EQ(valid.error().code, core::Code::InvalidArgument);
    EXPECT_EQ(valid.error().reason, "invalid_forge_credential");
  }
}

TEST(ClientFactoryTest, RefusesAMissingOrMangledTokenWithoutQuotingIt) {
  EXPECT_FALSE(validateForgeCredential(token(core::Forge::GitLab, "https://gitlab.com", "")));
  const auto mangled = validateForgeCredential(token(core::Forge::GitLab, "https://gitlab.com", "glpat-abc\n"));
  ASSERT_FALSE(mangled);
  EXPECT_EQ(mangled.error().message.find("glpat-abc"), std::string::npos);
}

TEST(ClientFactoryTest, AppCredentialsNeedGitHubAnIdAndAnRsaKey) {
  ForgeCredential app{core::Forge::GitHub, "https://api.github.com", ForgeCredential::Kind::App, "", "1", testRsaKey().privatePem};
  EXPECT_TRUE(validateForgeCredential(app));
  app.appPrivateKeyPem = "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n";
  const auto badKey = validateForgeCredential(app);
  ASSERT_FALSE(badKey);
  EXPECT_EQ(badKey.error().reason, "invalid_app_key");
  EXPECT_THAT(badKey.error().message, HasSubstr("PEM private key"));
  app.appPrivateKeyPem = testRsaKey().privatePem;
  app.appId.clear();
  EXPECT_FALSE(validateForgeCredential(app));
  app.appId = "1";
  app.forge = core::Forge::GitLab;
  EXPECT_THAT(validateForgeCredential(app).error().message, HasSubstr("GitHub only"));
}

TEST(ClientFactoryTest, MakesTheClientOfEachForge) {
  testing::FakeClock clock;
  auto http = std::make_shared<FakeForgeHttp>();
  EXPECT_EQ(makeForgeClient(token(core::Forge::GitHub, "https://api.github.com"), http, clock, {})->forge(),
            core::Forge::GitHub);
  EXPECT_EQ(makeForgeClient(token(core::Forge::GitLab, "https://gitlab.com"), http, clock, {})->forge(),
            core::Forge::GitLab);
  EXPECT_EQ(makeForgeClient(token(core::Forge::Gitea, "https://gitea.com"), http, clock, {})->forge(),
            core::Forge::Gitea);
}

TEST(ClientFactoryTest, ClientsOfOneTokenShareOneBudgetThroughTheRegistry) {
  testing::FakeClock clock;
  RecordingSleeper sleeps{clock};
  auto http = std::make_shared<FakeForgeHttp>();
  ClientOptions options;
  options.sleeper = sleeps.sleeper();
  options.budgets = std::make_shared<RateBudgetRegistry>(clock, sleeps.sleeper());
  auto poller = makeForgeClient(token(core::Forge::GitHub, "https://api.github.test"), http, clock, options);
  auto manager = makeForgeClient(token(core::Forge::GitHub, "https://api.github.test"), http, clock, options);
  const std::string reset = std::to_string(clock.nowSeconds() + 20);
  http->expect("GET", "https://api.github.test/repos/o/r/hooks/1", 200, R"({"id":1})",
               {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", reset}});
  ASSERT_TRUE(poller->getHook({HookTarget::Kind::Repository, "o/r"}, "1"));
  // The other client's first request waits for the reset the first one learnt about.
  http->expect("GET", "https://api.github.test/repos/o/r/hooks/1", 200, R"({"id":1})");
  ASSERT_TRUE(manager->getHook({HookTarget::Kind::Repository, "o/r"}, "1"));
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 20'000);
  EXPECT_EQ(manager->budgets()[0].calls, 2);
}

}  // namespace
}  // namespace forgehook::forge
