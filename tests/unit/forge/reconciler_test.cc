#include "forge/reconciler.h"

#include <gtest/gtest.h>

#include "forge/hook_manager.h"
#include "forge_fixture.h"

namespace forgehook::forge {
namespace {

class ReconcilerTest : public ForgeTest {
 protected:
  void SetUp() override {
    ForgeTest::SetUp();
    HookManager manager(store().connections, store().log, clients_, clock_, logger_,
                        {"https://hooks.example.com", 3600, 100}, [] {}, [](const std::string&) { return 200; });
    connection_ = manager.connect(ConnectRequest{"github", "repository", "octo/repo", {}, {}, {}, {}})->connection;
    hookId_ = *connection_.hookId;
    reconciler_ = std::make_unique<Reconciler>(store().connections, store().log, clients_, clock_, logger_,
                                               ReconcilerOptions{3 * 86400, 900, 600, 3, 1000});
  }
  std::int64_t now() const { return clock_.nowMicros() / 1'000'000; }
  // The forge logs an attempt of `guid`; `stored` says whether forgehook has it.
  void forgeDelivered(const std::string& guid, bool stored, int statusCode = 200, std::int64_t ago = 60) {
    fake().logDelivery({std::to_string(++entryId_), guid, now() - ago, false, statusCode,
                        statusCode == 200 ? "OK" : "failed", "issues", "opened"});
    if (stored) storeDelivery(hookId_, guid);
  }
  store::ReconcileRun reconcile() {
    fake().calls.clear();
    auto run = reconciler_->reconcile(connection_.id, "manual");
    EXPECT_TRUE(run.has_value()) << run.error().message;
    return run.value_or(store::ReconcileRun{});
  }

  store::Connection connection_;
  std::string hookId_;
  std::unique_ptr<Reconciler> reconciler_;
  int entryId_ = 0;
};

TEST_F(ReconcilerTest, OnePassFindsTheMissingOnesAndAsksOnlyForThem) {
  for (int i = 0; i < 250; ++i) {
    const bool missing = i % 50 == 7;  // 5 of 250
    forgeDelivered("guid-" + std::to_string(i), !missing, missing ? 0 : 200);
  }
  forgeDelivered("timed-out-but-stored", true, 0);  // the forge gave up waiting after our commit
  auto run = reconcile();
  EXPECT_EQ(run.listed, 251);
  EXPECT_EQ(run.pages, 3);
  EXPECT_EQ(run.missing, 5);
  EXPECT_EQ(run.requested, 5);
  EXPECT_EQ(run.apiCalls, 3 + 5);  // the listing and one redelivery per missing delivery, nothing else
  EXPECT_EQ(fake().calls["listDeliveries"], 3);
  EXPECT_EQ(fake().calls["redeliver"], 5);
  EXPECT_FALSE(run.error.has_value());
  EXPECT_EQ(fake().redelivered.size(), 5u);
}

TEST_F(ReconcilerTest, ARedeliveryThatArrivedIsCountedAndNotAskedAgain) {
  forgeDelivered("lost-1", false, 0);
  forgeDelivered("lost-2", false, 503);
  auto first = reconcile();
  EXPECT_EQ(first.requested, 2);
  storeDelivery(hookId_, "lost-1");  // the forge redelivered it
  storeDelivery(hookId_, "lost-2");
  clock_.advanceSeconds(300);
  auto second = reconcile();
  EXPECT_EQ(second.arrived, 2);
  EXPECT_EQ(second.missing, 0);
  EXPECT_EQ(second.requested, 0);
  EXPECT_EQ(fake().calls["redeliver"], 0);
  auto counts = *store().connections.trackedCounts(connection_.id, 0);
  EXPECT_EQ(counts.arrived, 2);
}

TEST_F(ReconcilerTest, ALaterRunListsOnlyBackToThePreviousCleanRun) {
  fake().pageSize = 10;
  for (int i = 0; i < 95; ++i) forgeDelivered("old-" + std::to_string(i), true, 200, 3600);
  EXPECT_EQ(reconcile().pages, 10);
  clock_.advanceSeconds(300);
  for (int i = 0; i < 5; ++i) forgeDelivered("new-" + std::to_string(i), true, 200, 10);
  auto run = reconcile();
  EXPECT_EQ(run.pages, 1);  // the new ones and a page into what was already compared
  EXPECT_EQ(run.missing, 0);
}

TEST_F(ReconcilerTest, ARequestedDeliveryIsAskedAgainAfterAWhileThenGivenUp) {
  forgeDelivered("never-arrives", false, 0);
  EXPECT_EQ(reconcile().requested, 1);
  clock_.advanceSeconds(60);
  EXPECT_EQ(reconcile().requested, 0);  // asked a minute ago: wait
  for (int i = 0; i < 2; ++i) {
    clock_.advanceSeconds(601);
    EXPECT_EQ(reconcile().requested, 1);
  }
  clock_.advanceSeconds(601);
  auto run = reconcile();
  EXPECT_EQ(run.givenUp, 1);
  EXPECT_EQ(store().connections.trackedCounts(connection_.id, 0)->givenUp, 1);
  EXPECT_TRUE(store().connections.getConnection(connection_.id)->failingSince.has_value());
}

TEST_F(ReconcilerTest, ADeliveryOlderThanTheWindowIsGivenUpWithoutARequest) {
  forgeDelivered("soon-too-old", false, 0, 3 * 86400 - 100);
  EXPECT_EQ(reconcile().requested, 1);
  clock_.advanceSeconds(200);
  auto run = reconcile();
  EXPECT_EQ(run.givenUp, 1);
  EXPECT_EQ(fake().calls["redeliver"], 0);
}

TEST_F(ReconcilerTest, TheForgeRefusingARedeliveryGivesItUpAndATransientErrorWaits) {
  forgeDelivered("refused", false, 0);
  forgeDelivered("later", false, 0);
  core::Error gone = core::Error::notFound("Not Found");
  fake().failNext("redeliver", gone);
  fake().failNext("redeliver", core::Error::unavailable("forge_unavailable", "502", 0));
  auto run = reconcile();
  EXPECT_EQ(run.givenUp, 1);
  EXPECT_EQ(run.requested, 0);
  EXPECT_TRUE(run.error.has_value());  // the transient error ends the run's requests
  clock_.advanceSeconds(60);
  EXPECT_EQ(reconcile().requested, 1);
}

TEST_F(ReconcilerTest, AListingFailureIsRecordedInTheRunAndFlagsTheConnection) {
  fake().failNext("listDeliveries", core::Error::unavailable("forge_unavailable", "the forge answered 503", 0));
  auto run = reconcile();
  ASSERT_TRUE(run.error.has_value());
  EXPECT_EQ(*run.error, "the forge answered 503");
  EXPECT_TRUE(store().connections.getConnection(connection_.id)->failingSince.has_value());
  auto clean = reconcile();
  EXPECT_FALSE(clean.error.has_value());
  EXPECT_FALSE(store().connections.getConnection(connection_.id)->failingSince.has_value());
  EXPECT_EQ(store().connections.listRuns(connection_.id, 10)->size(), 2u);
}

TEST_F(ReconcilerTest, APolledConnectionHasNothingToReconcile) {
  auto c = *store().connections.getConnection(connection_.id);
  c.mode = "poll";
  ASSERT_TRUE(store().connections.updateConnection(c).has_value());
  auto run = reconciler_->reconcile(c.id, "manual");
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().reason, "not_reconcilable");
  EXPECT_EQ(reconciler_->reconcile(999, "manual").error().code, core::Code::NotFound);
}

}  // namespace
}  // namespace forgehook::forge
