#include "store/sqlite/connection_store.h"

#include <gtest/gtest.h>

#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

constexpr std::int64_t kNow = kT0 / kSecond;

Connection github(std::string target, std::string secret = "s3cret-one") {
  Connection c;
  c.forge = "github";
  c.target = std::move(target);
  c.url = "https://hooks.example.com/webhooks/github";
  c.events = {"push", "pull_request"};
  c.secret = std::move(secret);
  c.createdAt = c.updatedAt = kNow;
  return c;
}

// The raw text of one column of one row, read past the store.
std::string rawColumn(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  DbHandle db(raw);
  Statement s(db.get(), sql);
  EXPECT_EQ(s.step(), SQLITE_ROW);
  return s.isNull(0) ? "<null>" : s.text(0);
}

TEST_F(SqliteTest, ConnectionRoundTripsWithItsSecretSealedAtRest) {
  auto store = open();
  auto created = store->connections.createConnection(github("Octo/Repo"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_GT(created->id, 0);
  auto read = store->connections.getConnection(created->id);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->target, "Octo/Repo");
  EXPECT_EQ(read->secret, "s3cret-one");
  EXPECT_EQ(read->events, (std::vector<std::string>{"push", "pull_request"}));
  EXPECT_EQ(read->status, "pending");
  store.reset();
  EXPECT_EQ(rawColumn(dbPath(), "SELECT secret_sealed FROM connections"), "test-sealed:s3cret-one");
}

TEST_F(SqliteTest, SecondConnectionOfTheSameTargetConflicts) {
  auto store = open();
  ASSERT_TRUE(store->connections.createConnection(github("octo/repo")).has_value());
  auto again = store->connections.createConnection(github("octo/repo"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, "connection_exists");
  auto found = store->connections.findConnection("github", "repository", "octo/repo");
  ASSERT_TRUE(found.has_value() && found->has_value());
  auto absent = store->connections.findConnection("gitea", "repository", "octo/repo");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());
}

TEST_F(SqliteTest, UpdateConnectionLeavesThePollStateToItsOwnWriter) {
  auto store = open();
  auto c = *store->connections.createConnection(github("octo/repo"));
  c.pollEtag = "\"abc\"";
  c.pollSeenEventId = "42";
  c.nextPollAt = kNow + 60;
  ASSERT_TRUE(store->connections.updatePollState(c, false).has_value());
  // A writer holding an older copy (no poll state) changes the secret: the poll state stays.
  auto stale = github("octo/repo", "rotated");
  stale.id = c.id;
  stale.hookId = "77";
  ASSERT_TRUE(store->connections.updateConnection(stale).has_value());
  auto read = *store->connections.getConnection(c.id);
  EXPECT_EQ(read.secret, "rotated");
  EXPECT_EQ(read.hookId, "77");
  EXPECT_EQ(read.pollEtag, "\"abc\"");
  EXPECT_EQ(read.pollSeenEventId, "42");
  EXPECT_EQ(read.nextPollAt, kNow + 60);
}

TEST_F(SqliteTest, AcceptedSecretsIncludeThePreviousOneOnlyDuringItsGrace) {
  auto store = open();
  auto c = github("octo/repo", "new-secret");
  c.hookId = "101";
  c.previousSecret = "old-secret";
  c.previousSecretUntil = kNow + 100;
  ASSERT_TRUE(store->connections.createConnection(c).has_value());
  auto gl = github("group/sub/project", "gitlab-token");
  gl.forge = "gitlab";
  ASSERT_TRUE(store->connections.createConnection(gl).has_value());
  auto pending = github("octo/no-hook-yet", "pending-secret");  // no hook id: GitHub scope unknown
  ASSERT_TRUE(store->connections.createConnection(pending).has_value());

  auto during = store->connections.acceptedSecrets(kNow + 99);
  ASSERT_TRUE(during.has_value());
  // The GitHub hook by its id and by its repository (its ping may come before the id is stored),
  // the GitLab project and the GitHub repository whose hook is not made yet by repository.
  ASSERT_EQ(during->size(), 4u);
  EXPECT_EQ((*during)[0].scope, "hook");
  EXPECT_EQ((*during)[0].key, "101");
  EXPECT_EQ((*during)[0].secrets, (std::vector<std::string>{"new-secret", "old-secret"}));
  EXPECT_EQ((*during)[1].scope, "repository");
  EXPECT_EQ((*during)[1].key, "octo/repo");
  EXPECT_EQ((*during)[1].secrets, (std::vector<std::string>{"new-secret", "old-secret"}));
  EXPECT_EQ((*during)[2].scope, "repository");
  EXPECT_EQ((*during)[2].key, "group/sub/project");
  EXPECT_EQ((*during)[3].key, "octo/no-hook-yet");
  EXPECT_EQ((*during)[3].secrets, std::vector<std::string>{"pending-secret"});
  auto after = store->connections.acceptedSecrets(kNow + 100);
  EXPECT_EQ((*after)[0].secrets, (std::vector<std::string>{"new-secret"}));
}

TEST_F(SqliteTest, APolledConnectionKeepsAcceptingTheHookItStillHas) {
  auto store = open();
  auto switched = github("octo/switched", "hook-secret");
  switched.mode = "poll";
  switched.hookId = "202";
  ASSERT_TRUE(store->connections.createConnection(switched).has_value());
  auto polled = github("octo/polled-only", "unused");
  polled.mode = "poll";
  ASSERT_TRUE(store->connections.createConnection(polled).has_value());
  auto accepted = *store->connections.acceptedSecrets(kNow);
  ASSERT_EQ(accepted.size(), 2u);  // the switched one's hook, by id and by repository; nothing of the other
  EXPECT_EQ(accepted[0].key, "202");
  EXPECT_EQ(accepted[1].key, "octo/switched");
}

TEST_F(SqliteTest, UndecryptableSecretIsAnErrorNotAnEmptySecret) {
  auto store = open();
  auto c = *store->connections.createConnection(github("octo/repo"));
  store.reset();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(dbPath().c_str(), &raw), SQLITE_OK);
    DbHandle db(raw);
    ASSERT_EQ(execute(db.get(), "UPDATE connections SET secret_sealed = 'garbage'"), SQLITE_OK);
  }
  store = open();
  auto read = store->connections.getConnection(c.id);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().reason, "secret_undecryptable");
}

TEST_F(SqliteTest, CredentialsAreSealedAndReplacedPerForge) {
  auto store = open();
  ForgeCredentialRecord token{"github", "https://api.github.com", "token", "ghp_abc", {}, {}, {}, kNow, kNow};
  ASSERT_TRUE(store->connections.putCredential(token).has_value());
  ForgeCredentialRecord app{"github", "https://ghe.example/api/v3", "app", {}, "12345",
                            "-----BEGIN PRIVATE KEY-----x", "app-hook-secret", kNow, kNow + 5};
  ASSERT_TRUE(store->connections.putCredential(app).has_value());
  auto read = store->connections.getCredential("github");
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ((*read)->kind, "app");
  EXPECT_FALSE((*read)->token.has_value());
  EXPECT_EQ((*read)->appPrivateKey, "-----BEGIN PRIVATE KEY-----x");
  EXPECT_EQ((*read)->appWebhookSecret, "app-hook-secret");
  store.reset();
  EXPECT_EQ(rawColumn(dbPath(), "SELECT app_private_key_sealed FROM forge_credentials"),
            "test-sealed:-----BEGIN PRIVATE KEY-----x");
  store = open();
  // The App's webhook secret is accepted for deliveries of the App's own webhook.
  auto accepted = *store->connections.acceptedSecrets(kNow);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].scope, "app");
  EXPECT_EQ(accepted[0].key, "12345");
  EXPECT_EQ(accepted[0].secrets, std::vector<std::string>{"app-hook-secret"});
  ASSERT_TRUE(store->connections.deleteCredential("github").has_value());
  EXPECT_EQ(store->connections.deleteCredential("github").error().code, core::Code::NotFound);
}

TEST_F(SqliteTest, TrackedDeliveriesAreAddedOnceAndFollowedToTheirEnd) {
  auto store = open();
  auto c = *store->connections.createConnection(github("octo/repo"));
  TrackedDelivery a{c.id, "guid-a", "1", "push", "", kNow - 50, 0, "missing", 0, {}, {}, {}};
  TrackedDelivery b{c.id, "guid-b", "2", "issues", "opened", kNow - 40, 503, "missing", 0, {}, {}, {}};
  EXPECT_EQ(*store->connections.trackDeliveries({a, b}), 2);
  a.forgeDeliveryId = "9";
  EXPECT_EQ(*store->connections.trackDeliveries({a}), 0);  // already tracked: left as it is
  auto open = *store->connections.openDeliveries(c.id);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].guid, "guid-a");
  EXPECT_EQ(open[0].forgeDeliveryId, "1");
  EXPECT_EQ(open[1].forgeStatusCode, 503);
  open[0].status = "arrived";
  open[0].arrivedAt = kNow;
  open[1].status = "requested";
  open[1].requests = 1;
  ASSERT_TRUE(store->connections.updateTracked(open).has_value());
  auto still = *store->connections.openDeliveries(c.id);
  ASSERT_EQ(still.size(), 1u);
  EXPECT_EQ(still[0].status, "requested");
  auto counts = *store->connections.trackedCounts(c.id, kNow - 100);
  EXPECT_EQ(counts.arrived, 1);
  EXPECT_EQ(counts.requested, 1);
  EXPECT_EQ(store->connections.trackedCounts(c.id, kNow - 45)->arrived, 0);  // delivered before the window
}

TEST_F(SqliteTest, RunsAreListedNewestFirstAndTheLastCleanOneIsFound) {
  auto store = open();
  auto c = *store->connections.createConnection(github("octo/repo"));
  auto first = *store->connections.beginRun(c.id, "start", kNow);
  ReconcileRun clean{first, c.id, "start", kNow, kNow + 1, 10, 1, 1, 0, 0, 2, 1, {}};
  ASSERT_TRUE(store->connections.finishRun(clean).has_value());
  auto second = *store->connections.beginRun(c.id, "schedule", kNow + 300);
  ReconcileRun failed{second, c.id, "schedule", kNow + 300, kNow + 301, 0, 0, 0, 0, 0, 1, 0, "forge down"};
  ASSERT_TRUE(store->connections.finishRun(failed).has_value());
  auto runs = *store->connections.listRuns(c.id, 10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, second);
  EXPECT_EQ(runs[0].error, "forge down");
  auto last = *store->connections.lastCleanRun(c.id);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, first);
  EXPECT_EQ(last->listed, 10);
  // Deleting the connection forgets its runs and tracked deliveries.
  ASSERT_TRUE(store->connections.deleteConnection(c.id).has_value());
  EXPECT_TRUE(store->connections.listRuns(c.id, 10)->empty());
}

}  // namespace
}  // namespace forgehook::store::sqlite
