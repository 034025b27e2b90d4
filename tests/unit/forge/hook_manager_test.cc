#include "forge/hook_manager.h"

#include <gtest/gtest.h>

#include "forge/default_events.h"
#include "forge_fixture.h"

namespace forgehook::forge {
namespace {

constexpr const char* kPublic = "https://hooks.example.com";

class HookManagerTest : public ForgeTest {
 protected:
  HookManager& manager(HookManagerOptions options = {kPublic, 3600, 200}) {
    manager_ = std::make_unique<HookManager>(
        store().connections, store().log, clients_, clock_, logger_, options, [this] { ++secretsChanged_; },
        [this](const std::string& url) -> core::Result<int> {
          probed_.push_back(url);
          return 200;
        });
    return *manager_;
  }
  ConnectRequest repo(std::string target = "octo/repo") {
    ConnectRequest r;
    r.target = std::move(target);
    return r;
  }

  std::unique_ptr<HookManager> manager_;
  int secretsChanged_ = 0;
  std::vector<std::string> probed_;
};

// connect()'s connection, for the tests that look only at it.
core::Result<store::Connection> connectWith(HookManager& m, const ConnectRequest& r) {
  auto outcome = m.connect(r);
  if (!outcome) return std::unexpected(outcome.error());
  return outcome->connection;
}

core::Error forbidden() {
  core::Error e = core::Error::forbidden("Resource not accessible by personal access token");
  e.reason = "forge_forbidden";
  return e;
}

TEST_F(HookManagerTest, ConnectCreatesAJsonHookWithASecretOfItsOwn) {
  auto& m = manager();
  auto a = connectWith(m, repo("octo/one"));
  auto b = connectWith(m, repo("octo/two"));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(a->status, "active");
  ASSERT_TRUE(a->hookId.has_value());
  EXPECT_EQ(a->url, "https://hooks.example.com/webhooks/github");
  EXPECT_EQ(a->events, defaultHookEvents("github"));
  EXPECT_EQ(fake().hooks[*a->hookId].contentType, "json");
  // Each hook has its own random secret, and the forge got exactly the stored one.
  EXPECT_EQ(a->secret.size(), 64u);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_EQ(fake().secrets[*a->hookId], a->secret);
  EXPECT_EQ(fake().secrets[*b->hookId], b->secret);
  EXPECT_GT(secretsChanged_, 0);
  auto accepted = *store().connections.acceptedSecrets(clock_.nowMicros() / 1'000'000);
  ASSERT_EQ(accepted.size(), 4u);  // each hook by its id and by its repository
  EXPECT_EQ(accepted[0].key, *a->hookId);
  EXPECT_EQ(accepted[0].secrets, std::vector<std::string>{a->secret});
  auto third = manager_->connect(repo("octo/three"));
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(third->created);
  EXPECT_FALSE(third->switchedToWebhooks);
}

TEST_F(HookManagerTest, AChosenSecretIsTheHooksOnlyForANewConnection) {
  auto& m = manager();
  auto request = repo("octo/chosen");
  request.secret = "a-secret-the-caller-chose-0123456789";
  auto made = connectWith(m, request);
  ASSERT_TRUE(made.has_value()) << made.error().message;
  EXPECT_EQ(made->secret, *request.secret);
  EXPECT_EQ(fake().secrets[*made->hookId], *request.secret) << "the forge signs with it";
  auto same = connectWith(m, request);
  ASSERT_TRUE(same.has_value()) << "the same secret again: nothing to change";
  request.secret = "another-secret-0123456789abcdef";
  auto other = m.connect(request);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().reason, "connection_exists");
  EXPECT_THAT(other.error().message, ::testing::HasSubstr("rotate-secret"));
  EXPECT_THAT(other.error().message, ::testing::Not(::testing::HasSubstr("another-secret")));
  EXPECT_EQ(fake().secrets[*made->hookId], "a-secret-the-caller-chose-0123456789") << "nothing changed";
}

TEST_F(HookManagerTest, AHookForTheSameUrlIsAdoptedNotDuplicated) {
  fake().hooks["555"] = {"555", "https://hooks.example.com/webhooks/github/", {"push"}, false, "form", {}};
  fake().secrets["555"] = "hand-made";
  auto c = connectWith(manager(), repo());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->hookId, "555");
  EXPECT_TRUE(c->adopted);
  EXPECT_EQ(c->status, "active");
  EXPECT_EQ(fake().calls["createHook"], 0);
  EXPECT_EQ(fake().hooks.size(), 1u);
  EXPECT_EQ(fake().secrets["555"], c->secret);  // its secret and events are ours now
  EXPECT_EQ(fake().hooks["555"].events, defaultHookEvents("github"));
  EXPECT_EQ(fake().hooks["555"].contentType, "json");
}

TEST_F(HookManagerTest, AForgeRefusalKeepsTheConnectionFailedWithAHintAndARetryMendsIt) {
  fake().failNext("createHook", forbidden());
  auto failed = connectWith(manager(), repo());
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status, "failed");
  EXPECT_EQ(failed->error, "Resource not accessible by personal access token");
  ASSERT_TRUE(failed->hint.has_value());
  EXPECT_NE(failed->hint->find("admin:repo_hook"), std::string::npos);
  EXPECT_TRUE(failed->failingSince.has_value());
  EXPECT_EQ(store().connections.listConnections()->size(), 1u);

  auto again = manager_->connect(repo());  // the token was fixed
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->created);
  auto retried = std::optional<store::Connection>(again->connection);
  EXPECT_EQ(retried->id, failed->id);
  EXPECT_EQ(retried->status, "active");
  EXPECT_FALSE(retried->error.has_value());
  EXPECT_FALSE(retried->failingSince.has_value());
  EXPECT_EQ(retried->secret, failed->secret);  // the secret made at first is the one the hook gets
  EXPECT_EQ(fake().secrets[*retried->hookId], failed->secret);
}

TEST_F(HookManagerTest, WithoutAPublicUrlTheConnectionWaitsWithAHint) {
  auto c = connectWith(manager({"", 3600, 200}), repo());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status, "failed");
  EXPECT_NE(c->hint->find("--url"), std::string::npos);
  EXPECT_EQ(fake().calls["createHook"], 0);
}

TEST_F(HookManagerTest, WithoutACredentialTheHintSaysHowToAddOne) {
  clients_.client.reset();
  auto c = connectWith(manager(), repo());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status, "failed");
  EXPECT_NE(c->error->find("no credential"), std::string::npos);
  EXPECT_NE(c->hint->find("forgehook credentials set github"), std::string::npos);
}

TEST_F(HookManagerTest, BadRequestsAreRefusedBeforeAnythingIsStored) {
  auto& m = manager();
  for (const auto* target : {"", "noslash", "a/b/c", "a//b", "../x", "a/b c"}) {
    auto c = connectWith(m, repo(target));
    ASSERT_FALSE(c.has_value()) << target;
    EXPECT_EQ(c.error().code, core::Code::InvalidArgument) << target;
  }
  ConnectRequest org;
  org.kind = "organization";
  org.target = "octo/repo";
  EXPECT_FALSE(connectWith(m, org).has_value());
  ConnectRequest badUrl = repo();
  badUrl.publicUrl = "ftp://x";
  EXPECT_FALSE(connectWith(m, badUrl).has_value());
  ConnectRequest nested = repo("group/sub/project");
  nested.forge = "gitlab";
  EXPECT_TRUE(connectWith(m, nested).has_value());  // GitLab projects may sit in subgroups
  EXPECT_EQ(store().connections.listConnections()->size(), 1u);
}

TEST_F(HookManagerTest, RotationAcceptsBothSecretsUntilTheGraceEnds) {
  auto& m = manager({kPublic, 600, 200});
  auto c = *connectWith(m, repo());
  const std::string old = c.secret;
  auto rotated = m.rotateSecret(c.id);
  ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
  EXPECT_NE(rotated->secret, old);
  EXPECT_EQ(fake().secrets[*c.hookId], rotated->secret);
  const auto now = clock_.nowMicros() / 1'000'000;
  auto accepted = *store().connections.acceptedSecrets(now);
  EXPECT_EQ(accepted[0].secrets, (std::vector<std::string>{rotated->secret, old}));
  clock_.advanceSeconds(599);
  EXPECT_EQ(m.expireGracePeriods(*store().connections.listConnections()), 0);
  clock_.advanceSeconds(1);
  EXPECT_EQ(m.expireGracePeriods(*store().connections.listConnections()), 1);
  accepted = *store().connections.acceptedSecrets(now + 600);
  EXPECT_EQ(accepted[0].secrets, std::vector<std::string>{rotated->secret});
}

TEST_F(HookManagerTest, AFailedRotationChangesNothing) {
  auto& m = manager();
  auto c = *connectWith(m, repo());
  fake().failNext("updateHook", core::Error::unavailable("forge_unavailable", "502 from the forge", 0));
  auto rotated = m.rotateSecret(c.id);
  ASSERT_FALSE(rotated.has_value());
  EXPECT_EQ(rotated.error().reason, "forge_unavailable");
  auto after = *store().connections.getConnection(c.id);
  EXPECT_EQ(after.secret, c.secret);
  EXPECT_FALSE(after.previousSecret.has_value());
  EXPECT_EQ(fake().secrets[*c.hookId], c.secret);
}

TEST_F(HookManagerTest, DisconnectDeletesTheHookAndAHookAlreadyGoneIsNoError) {
  auto& m = manager();
  auto a = *connectWith(m, repo("octo/one"));
  auto b = *connectWith(m, repo("octo/two"));
  ASSERT_TRUE(m.disconnect(a.id).has_value());
  EXPECT_FALSE(fake().hooks.contains(*a.hookId));
  fake().hooks.erase(*b.hookId);  // deleted by hand at the forge
  auto gone = m.disconnect(b.id);
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->status, "disconnected");
  EXPECT_TRUE(store().connections.listConnections()->empty());
}

TEST_F(HookManagerTest, AFailedDisconnectKeepsTheConnection) {
  auto& m = manager();
  auto c = *connectWith(m, repo());
  fake().failNext("deleteHook", core::Error::unavailable("forge_unavailable", "timeout", 0));
  EXPECT_FALSE(m.disconnect(c.id).has_value());
  EXPECT_TRUE(store().connections.getConnection(c.id).has_value());
  EXPECT_TRUE(fake().hooks.contains(*c.hookId));
}

TEST_F(HookManagerTest, AHookDeletedAtTheForgeIsMadeAgainOnRecheck) {
  auto& m = manager();
  auto c = *connectWith(m, repo());
  fake().hooks.clear();
  auto again = m.recheck(c.id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, "active");
  EXPECT_NE(again->hookId, c.hookId);
  EXPECT_EQ(fake().secrets[*again->hookId], c.secret);
}

TEST_F(HookManagerTest, PingReportsTheRoundTripWhenThePingArrives) {
  auto& m = manager();
  auto c = *connectWith(m, repo());
  clock_.advanceSeconds(1);
  // The ping lands 40 ms after the request (stored before the wait begins, so no sleeping).
  auto ping = store::sqlite::delivery("github", *c.hookId, "ping-guid", clock_.nowMicros() + 40'000, "ping");
  appendOne(store(), ping);
  auto report = m.ping(c.id);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->arrived);
  EXPECT_EQ(report->roundTripMs, 40);
  EXPECT_EQ(fake().calls["pingHook"], 1);
}

TEST_F(HookManagerTest, TestReportsThePublicUrlTheRightsAndTheHook) {
  auto& m = manager();
  auto c = *connectWith(m, repo());
  auto report = m.test(c.id);
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(probed_.size(), 1u);
  EXPECT_EQ(probed_[0], "https://hooks.example.com/healthz");
  EXPECT_TRUE(report->publicUrl.reachable);
  ASSERT_TRUE(report->access.has_value());
  EXPECT_TRUE(report->access->canManageHooks);
  ASSERT_TRUE(report->hook.has_value());
  EXPECT_EQ(report->hook->id, *c.hookId);
}

TEST(HookUrl, IsThePublicBaseWithTheForgesEndpoint) {
  EXPECT_EQ(*hookUrlFor("https://x.example/", "github"), "https://x.example/webhooks/github");
  EXPECT_EQ(*hookUrlFor("https://x.example/base", "gitlab"), "https://x.example/base/webhooks/gitlab");
  EXPECT_EQ(*hookUrlFor("https://x.example/webhooks/gitea", "gitea"), "https://x.example/webhooks/gitea");
  EXPECT_FALSE(hookUrlFor("https://x.example/webhooks/github", "gitea").has_value());
  EXPECT_FALSE(hookUrlFor("x.example", "github").has_value());
}

}  // namespace
}  // namespace forgehook::forge
