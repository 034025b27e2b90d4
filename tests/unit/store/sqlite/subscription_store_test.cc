// Subscriptions on SQLite: a new subscription follows the feed from its newest seq; enqueue copies
// the matching changes once (filters as the change feed's, cursor moved in the same transaction);
// only the oldest pending message of an active subscription is due; attempts' outcomes; pause,
// resume, manual retry, delete, pruning.
#include "store/sqlite/subscription_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/subscriptions_fixture.h"

namespace forgehook::store::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Next = AttemptOutcome::Next;

class SubscriptionStoreTest : public testing::SubscriptionsTest {
 protected:
  std::vector<std::int64_t> pendingSeqs(std::int64_t id) {
    std::vector<std::int64_t> out;
    const auto messages = subs_.messages(id, "pending", 500).value();
    for (const auto& m : messages) out.insert(out.begin(), m.seq);
    return out;
  }
  AttemptOutcome outcome(const DueMessage& m, Next next, std::int64_t retryAt = 0) {
    AttemptOutcome o;
    o.attempt = {0,    m.subscriptionId, m.messageId, m.seq, m.attempts + 1, clock_.nowMicros(), 500, 12,
                 "no", "HTTP 500"};
    if (next == Next::Delivered) {
      o.attempt.statusCode = 200;
      o.attempt.error.reset();
    }
    o.next = next;
    o.retryAt = retryAt;
    return o;
  }
};

TEST_F(SubscriptionStoreTest, ANewSubscriptionGetsOnlyChangesCommittedAfterIt) {
  receive(3);
  const auto sub = create();
  EXPECT_EQ(enqueue(), 0);
  const auto newest = receive(2);
  EXPECT_EQ(enqueue(), 2);
  EXPECT_THAT(pendingSeqs(sub.id), ElementsAre(newest - 1, newest));
  EXPECT_EQ(get(sub.id).pending, 2);
}

TEST_F(SubscriptionStoreTest, EnqueueIsOncePerChangeAndWritesNothingWhenCaughtUp) {
  const auto sub = create();
  receive(4);
  EXPECT_EQ(enqueue(), 4);
  EXPECT_EQ(enqueue(), 0);
  EXPECT_FALSE(subs_.behind().value());
  EXPECT_EQ(get(sub.id).pending, 4);
}

TEST_F(SubscriptionStoreTest, EnqueueStepsAtMostMaxChangesPerSubscription) {
  const auto sub = create();
  receive(5);
  EXPECT_EQ(subs_.enqueue(2, clock_.nowMicros()).value(), 2);
  EXPECT_TRUE(subs_.behind().value());
  EXPECT_EQ(subs_.enqueue(2, clock_.nowMicros()).value(), 2);
  EXPECT_EQ(subs_.enqueue(2, clock_.nowMicros()).value(), 1);
  EXPECT_FALSE(subs_.behind().value());
  EXPECT_EQ(pendingSeqs(sub.id).size(), 5u);
}

TEST_F(SubscriptionStoreTest, FiltersMatchResourceActionRepositoryIgnoringCaseAndForge) {
  const auto onRepo = create({.repository = "OCTO/Wanted"});
  const auto onPulls = create({.resources = {"pulls"}});
  const auto onDeleted = create({.actions = {"deleted"}});
  const auto onGitlab = create({.forge = "gitlab"});
  const auto onCreatedDeliveries = create({.resources = {"deliveries"}, .actions = {"created"}, .forge = "github"});
  receive({"octo/wanted", "octo/other"});
  enqueue();
  EXPECT_EQ(get(onRepo.id).pending, 1);
  EXPECT_EQ(get(onPulls.id).pending, 0);
  EXPECT_EQ(get(onDeleted.id).pending, 0);
  EXPECT_EQ(get(onGitlab.id).pending, 0);
  EXPECT_EQ(get(onCreatedDeliveries.id).pending, 2);
  EXPECT_FALSE(subs_.behind().value());  // the cursors moved past what did not match too
}

TEST_F(SubscriptionStoreTest, ARebuildsResetPointsGoToEverySubscriptionWhateverItsFilters) {
  const auto onPulls = create({.resources = {"pulls"}});
  receive(2);  // deliveries: not for this subscription
  ASSERT_TRUE(backend_->processingQueue().rebuildProjections(clock_.nowMicros()).has_value());
  EXPECT_EQ(enqueue(), 2);  // the rebuild's two reset points (it fits in one chunk)
  EXPECT_EQ(get(onPulls.id).pending, 2);
  const auto head = due();
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0].resource, "feed");
  EXPECT_EQ(head[0].action, "reset");
  EXPECT_EQ(head[0].entityId, "rebuild_started");
  EXPECT_EQ(head[0].dataJson, R"({"reason":"rebuild_started"})");
  EXPECT_EQ(head[0].forge, "");
  EXPECT_EQ(head[0].repository, "");
}

TEST_F(SubscriptionStoreTest, OnlyTheOldestPendingMessageOfAnActiveSubscriptionIsDue) {
  const auto a = create();
  const auto b = create();
  const auto newest = receive(3);
  enqueue();
  auto d = due();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].seq, newest - 2);
  EXPECT_EQ(d[1].seq, newest - 2);
  EXPECT_EQ(d[0].url, "https://example.com/hook");
  EXPECT_EQ(d[0].resource, "deliveries");
  EXPECT_EQ(d[0].action, "created");
  EXPECT_EQ(d[0].repository, "octo/repo");
  EXPECT_EQ(nlohmann::json::parse(d[0].dataJson)["repository"], "octo/repo");
  // A busy subscription is left out; a retry not yet due holds its subscription back.
  EXPECT_EQ(due({a.id}).size(), 1u);
  ASSERT_TRUE(subs_.recordAttempt(outcome(d[0], Next::RetryAt, clock_.nowMicros() + 5 * kSecond)).has_value());
  d = due();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subscriptionId, b.id);
  EXPECT_EQ(subs_.nextDueAt().value(), std::optional<std::int64_t>(0));
  clock_.advanceSeconds(5);
  d = due();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].subscriptionId, a.id);  // due last: its next attempt time is the latest
  EXPECT_EQ(d[1].seq, newest - 2);       // the same message again, not the next
  EXPECT_EQ(d[1].attempts, 1);
  EXPECT_EQ(d[1].firstAttemptAt, clock_.nowMicros() - 5 * kSecond);
}

TEST_F(SubscriptionStoreTest, ADeliveredOrFailedMessageLetsTheNextGoAndCountsAreKept) {
  const auto sub = create();
  const auto newest = receive(3);
  enqueue();
  auto d = due();
  ASSERT_TRUE(subs_.recordAttempt(outcome(d[0], Next::RetryAt, clock_.nowMicros())).has_value());
  EXPECT_EQ(get(sub.id).consecutiveFailures, 1);
  d = due();
  ASSERT_TRUE(subs_.recordAttempt(outcome(d[0], Next::Failed)).has_value());
  d = due();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].seq, newest - 1);
  EXPECT_EQ(d[0].failedStreak, 1);
  ASSERT_TRUE(subs_.recordAttempt(outcome(d[0], Next::Delivered)).has_value());
  const auto s = get(sub.id);
  EXPECT_EQ(s.consecutiveFailures, 0);
  EXPECT_EQ(s.pending, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.lastSuccessAt, clock_.nowMicros());
  EXPECT_EQ(due()[0].failedStreak, 0);
  const auto attempts = subs_.attempts(sub.id, 10).value();
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].statusCode, 200);  // newest first
  EXPECT_EQ(attempts[2].attempt, 1);
  EXPECT_EQ(attempts[1].attempt, 2);
  EXPECT_EQ(attempts[2].responseExcerpt, "no");
  EXPECT_EQ(attempts[2].error, "HTTP 500");
  const auto failed = subs_.messages(sub.id, "failed", 10).value();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].lastError, "HTTP 500");
  EXPECT_EQ(failed[0].attempts, 2);
}

TEST_F(SubscriptionStoreTest, DisableStopsSendingAndResumeMakesThePendingHeadDueNowWithCountsReset) {
  const auto sub = create();
  receive(2);
  enqueue();
  auto o = outcome(due()[0], Next::Failed);
  o.disableReason = "dead";
  ASSERT_TRUE(subs_.recordAttempt(o).has_value());
  auto s = get(sub.id);
  EXPECT_EQ(s.status, "disabled");
  EXPECT_EQ(s.disabledReason, "dead");
  EXPECT_THAT(due(), IsEmpty());
  EXPECT_EQ(subs_.nextDueAt().value(), std::nullopt);
  s = subs_.resume(sub.id, clock_.nowMicros()).value();
  EXPECT_EQ(s.status, "active");
  EXPECT_EQ(s.disabledReason, std::nullopt);
  EXPECT_EQ(s.consecutiveFailures, 0);
  ASSERT_EQ(due().size(), 1u);
  EXPECT_EQ(due()[0].failedStreak, 0);
}

TEST_F(SubscriptionStoreTest, APausedSubscriptionKeepsEnqueuingButNothingIsDue) {
  const auto sub = create();
  EXPECT_EQ(subs_.pause(sub.id, clock_.nowMicros()).value().status, "paused");
  receive(2);
  EXPECT_EQ(enqueue(), 2);
  EXPECT_THAT(due(), IsEmpty());
  ASSERT_TRUE(subs_.resume(sub.id, clock_.nowMicros()).has_value());
  EXPECT_EQ(due().size(), 1u);
}

TEST_F(SubscriptionStoreTest, RetryPutsOnlyAFailedMessageBackFirstInLine) {
  const auto sub = create();
  const auto newest = receive(2);
  enqueue();
  ASSERT_TRUE(subs_.recordAttempt(outcome(due()[0], Next::Failed)).has_value());
  EXPECT_EQ(due()[0].seq, newest);
  const auto failed = subs_.messages(sub.id, "failed", 10).value().at(0);
  const auto retried = subs_.retryMessage(sub.id, failed.id, clock_.nowMicros());
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
  EXPECT_EQ(retried->status, "pending");
  EXPECT_EQ(due()[0].seq, newest - 1);
  EXPECT_EQ(due()[0].firstAttemptAt, std::nullopt);  // a fresh retry period
  EXPECT_EQ(subs_.retryMessage(sub.id, failed.id, clock_.nowMicros()).error().code, core::Code::Conflict);
  EXPECT_EQ(subs_.retryMessage(sub.id, 999, clock_.nowMicros()).error().code, core::Code::NotFound);
  EXPECT_EQ(subs_.retryMessage(999, failed.id, clock_.nowMicros()).error().code, core::Code::NotFound);
}

TEST_F(SubscriptionStoreTest, UpdateChangesOnlyWhatIsGivenAndClearsWhatIsNulled) {
  const auto sub = create({.description = "d", .resources = {"pulls"}, .repository = "a/b", .forge = "github"});
  SubscriptionPatch p;
  p.url = "https://example.org/new";
  p.repository = std::optional<std::string>{};
  auto s = subs_.update(sub.id, p, clock_.nowMicros() + kSecond).value();
  EXPECT_EQ(s.url, "https://example.org/new");
  EXPECT_EQ(s.repository, std::nullopt);
  EXPECT_EQ(s.forge, "github");
  EXPECT_THAT(s.resources, ElementsAre("pulls"));
  EXPECT_EQ(s.description, "d");
  EXPECT_EQ(s.updatedAt, clock_.nowMicros() + kSecond);
  EXPECT_EQ(subs_.update(999, p, 0).error().code, core::Code::NotFound);
}

TEST_F(SubscriptionStoreTest, ANewUrlMakesTheMessageBackingOffAgainstTheOldOneDueNow) {
  const auto sub = create();
  receive(1);
  enqueue();
  auto d = due();
  ASSERT_EQ(d.size(), 1u);
  ASSERT_TRUE(subs_.recordAttempt(outcome(d[0], Next::RetryAt, clock_.nowMicros() + 600 * kSecond)).has_value());
  EXPECT_TRUE(due().empty()) << "backing off";
  SubscriptionPatch description;
  description.description = "renamed";
  ASSERT_TRUE(subs_.update(sub.id, description, clock_.nowMicros()).has_value());
  EXPECT_TRUE(due().empty()) << "another field leaves the backoff as it is";
  SubscriptionPatch url;
  url.url = "https://example.org/fixed";
  ASSERT_TRUE(subs_.update(sub.id, url, clock_.nowMicros()).has_value());
  d = due();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].url, "https://example.org/fixed");
}

TEST_F(SubscriptionStoreTest, RotateSecretSignsTheNextAttemptWithTheNewSecret) {
  const auto sub = create();
  receive(1);
  enqueue();
  EXPECT_EQ(due()[0].secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(subs_.rotateSecret(sub.id, "whsec_bmV3", clock_.nowMicros()).has_value());
  EXPECT_EQ(due()[0].secret, "whsec_bmV3");
  EXPECT_EQ(subs_.rotateSecret(999, "whsec_bmV3", 0).error().code, core::Code::NotFound);
}

TEST_F(SubscriptionStoreTest, DeleteTakesTheOutboxAndAttemptsWithIt) {
  const auto sub = create();
  const auto other = create();
  receive(2);
  enqueue();
  ASSERT_TRUE(subs_.recordAttempt(outcome(due()[0], Next::RetryAt, clock_.nowMicros())).has_value());
  ASSERT_TRUE(subs_.remove(sub.id).has_value());
  EXPECT_EQ(subs_.get(sub.id).error().code, core::Code::NotFound);
  EXPECT_EQ(subs_.messages(sub.id, std::nullopt, 10).error().code, core::Code::NotFound);
  EXPECT_EQ(subs_.remove(sub.id).error().code, core::Code::NotFound);
  ASSERT_EQ(due().size(), 1u);
  EXPECT_EQ(due()[0].subscriptionId, other.id);
  EXPECT_EQ(get(other.id).pending, 2);
}

TEST_F(SubscriptionStoreTest, PruneDropsOldFinishedMessagesAndAttemptsButNeverPendingOnes) {
  const auto sub = create();
  receive(3);
  enqueue();
  ASSERT_TRUE(subs_.recordAttempt(outcome(due()[0], Next::Delivered)).has_value());
  ASSERT_TRUE(subs_.recordAttempt(outcome(due()[0], Next::RetryAt, clock_.nowMicros())).has_value());
  const auto removed = subs_.prune({kSecond}, clock_.nowMicros() + 10 * kSecond);
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(*removed, 3);  // two attempts, one delivered message
  EXPECT_EQ(subs_.messages(sub.id, std::nullopt, 10).value().size(), 2u);
  EXPECT_THAT(subs_.attempts(sub.id, 10).value(), IsEmpty());
  EXPECT_EQ(subs_.prune({kSecond}, clock_.nowMicros()).value(), 0);
}

}  // namespace
}  // namespace forgehook::store::sqlite
