// The store's side of the queue contract; how the Processor drives it (backoff, dead letters of
// refused records, crash before commit) is tested in tests/unit/pipeline/processor_test.cc.
#include "store/sqlite/processing_queue.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ProcessingQueueTest : public SqliteModelTest {
 protected:
  std::vector<std::int64_t> due(std::int64_t nowMicros, int max = 100) {
    std::vector<std::int64_t> out;
    auto rows = store_->queue.dueForProcessing(max, nowMicros, 0);
    EXPECT_TRUE(rows.has_value()) << rows.error().message;
    if (rows)
      for (const auto& d : *rows) out.push_back(d.id);
    return out;
  }
  std::string status(std::int64_t id) {
    auto d = store_->log.getDelivery(id);
    return d ? d->status : "<" + d.error().message + ">";
  }
  void finish(std::vector<ProcessedDelivery> done, std::vector<FailedDelivery> failed) {
    const auto dead = store_->queue.finishProcessing(done, failed, kT0);
    ASSERT_TRUE(dead.has_value()) << dead.error().message;
    EXPECT_EQ(dead->deadLettered, 0);
  }
};

ProcessedDelivery processed(std::int64_t id, std::vector<EntityWrite> writes = {},
                            std::vector<IncidentScope> scopes = {}) {
  ProcessedDelivery p;
  p.id = id;
  p.writes = std::move(writes);
  p.incidentScopes = std::move(scopes);
  p.activity.at = kT0Seconds;
  p.activity.forge = "github";
  p.activity.kind = "issues";
  return p;
}

TEST_F(ProcessingQueueTest, DueIsOldestFirstUpToMaxAndWaitsForTheRetryTime) {
  // Ids follow arrival; received times deliberately do not.
  const auto a = appendOne(*store_, delivery("github", "h", "a", kT0 + 2 * kSecond));
  const auto b = appendOne(*store_, delivery("github", "h", "b", kT0));
  const auto c = appendOne(*store_, delivery("gitlab", "h", "c", kT0 + kSecond, "push", "group/project"));
  EXPECT_THAT(due(kT0), ElementsAre(a, b, c));
  EXPECT_THAT(due(kT0, 2), ElementsAre(a, b));

  ASSERT_NO_FATAL_FAILURE(finish({}, {{a, "boom", kT0 + 60 * kSecond}}));
  EXPECT_THAT(due(kT0), ElementsAre(b, c));
  EXPECT_THAT(due(kT0 + 60 * kSecond - 1), ElementsAre(b, c));
  EXPECT_THAT(due(kT0 + 60 * kSecond), ElementsAre(a, b, c));  // due at its retry time, still first

  const auto rows = store_->queue.dueForProcessing(10, kT0 + 60 * kSecond, 0);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  const QueuedDelivery& retried = (*rows)[0];
  EXPECT_EQ(retried.processAttempts, 1);
  EXPECT_EQ(retried.receivedAt, kT0 + 2 * kSecond);
  const QueuedDelivery& gitlab = (*rows)[2];
  EXPECT_EQ(gitlab.forge, "gitlab");
  EXPECT_EQ(gitlab.event, "push");
  EXPECT_EQ(gitlab.action, "opened");
  EXPECT_EQ(gitlab.repository, "group/project");
  EXPECT_EQ(gitlab.sender, "Codertocat");
  EXPECT_EQ(gitlab.contentType, "application/json");
  EXPECT_EQ(gitlab.processAttempts, 0);
  EXPECT_EQ(gitlab.rawBody, delivery("gitlab", "h", "c").body);
  EXPECT_TRUE(gitlab.loadError.empty());
}

TEST_F(ProcessingQueueTest, FinishMarksProcessedRetryingAndDead) {
  const auto a = appendOne(*store_, delivery("github", "h", "a"));
  const auto b = appendOne(*store_, delivery("github", "h", "b"));
  const auto c = appendOne(*store_, delivery("github", "h", "c"));
  ASSERT_NO_FATAL_FAILURE(finish({processed(a)}, {{b, "try later", kT0 + kSecond}, {c, "never", std::nullopt}}));
  EXPECT_EQ(status(a), "processed");
  EXPECT_EQ(status(b), "retrying");
  EXPECT_EQ(status(c), "dead");
  EXPECT_EQ(count(Resource::Activity), 1u);  // the processed one's line
  // Neither processed nor dead deliveries come due again, however late.
  EXPECT_THAT(due(kT0 + 365 * kDay * kSecond), ElementsAre(b));

  // A retry that fails for good is dead; one that succeeds is processed.
  ASSERT_NO_FATAL_FAILURE(finish({}, {{b, "still failing", std::nullopt}}));
  EXPECT_EQ(status(b), "dead");
  EXPECT_THAT(due(kT0 + 365 * kDay * kSecond), IsEmpty());
}

ProcessedDelivery keyed(std::int64_t id, const std::string& source, std::vector<EntityWrite> writes = {}) {
  ProcessedDelivery p = processed(id, std::move(writes));
  p.forge = "github";
  p.source = source;
  p.eventKey = "pull_request:1:2:opened:2019-05-15T15:20:33Z";
  return p;
}

TEST_F(ProcessingQueueTest, AKeyClaimedByOneSourceMakesTheOthersCopyADuplicate) {
  const auto hook = appendOne(*store_, delivery("github", "h", "a"));
  const auto poll = appendOne(*store_, delivery("github", "events-api", "event-1"));
  const auto hookAgain = appendOne(*store_, delivery("github", "h", "b"));
  const auto finished = store_->queue.finishProcessing(
      std::vector{keyed(hook, "webhook"), keyed(poll, "poll"), keyed(hookAgain, "webhook")}, {}, kT0);
  ASSERT_TRUE(finished.has_value()) << finished.error().message;
  EXPECT_EQ(finished->duplicates, 1);
  EXPECT_EQ(finished->deadLettered, 0);
  EXPECT_EQ(status(hook), "processed");
  EXPECT_EQ(status(poll), "duplicate");
  EXPECT_EQ(status(hookAgain), "processed");  // the same source: the forge's own second event
  EXPECT_EQ(count(Resource::Activity), 2u);
  EXPECT_THAT(due(kT0 + kDay * kSecond), IsEmpty());
}

TEST_F(ProcessingQueueTest, ADeadLetteredDeliveryLeavesItsKeyUnclaimed) {
  const auto refused = appendOne(*store_, delivery("github", "h", "a"));
  const auto poll = appendOne(*store_, delivery("github", "events-api", "event-1"));
  const auto first = store_->queue.finishProcessing(
      std::vector{keyed(refused, "webhook", {row("no_such_table", {{"k", "v"}}, {})})}, {}, kT0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->deadLettered, 1);
  const auto second = store_->queue.finishProcessing(std::vector{keyed(poll, "poll")}, {}, kT0);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->duplicates, 0);
  EXPECT_EQ(status(poll), "processed");  // nothing of the event was applied before: now it is
}

TEST_F(ProcessingQueueTest, RequeueQueuesWhatTheFilterMatchesAndCountsIt) {
  const auto a = appendOne(*store_, delivery("github", "h", "a", kT0, "issues"));
  const auto b = appendOne(*store_, delivery("github", "h", "b", kT0, "issues", "octo-org/other"));
  const auto c = appendOne(*store_, delivery("github", "h", "c", kT0, "push"));
  const auto d = appendOne(*store_, delivery("gitlab", "h", "d", kT0, "issues"));
  ASSERT_NO_FATAL_FAILURE(finish({processed(a), processed(b), processed(c)}, {{d, "bad", std::nullopt}}));
  ASSERT_THAT(due(kT0), IsEmpty());

  auto requeue = [&](const std::function<void(DeliveryFilter&)>& edit) {
    DeliveryFilter f;
    edit(f);
    auto n = store_->queue.requeue(f, 0);
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n.value_or(-1);
  };
  EXPECT_EQ(requeue([](auto& f) {
              f.forge = "github";
              f.event = "issues";
            }),
            2);
  EXPECT_THAT(due(kT0), ElementsAre(a, b));
  EXPECT_EQ(status(a), "queued");
  EXPECT_EQ(status(c), "processed");

  EXPECT_EQ(requeue([](auto& f) { f.status = "dead"; }), 1);
  EXPECT_THAT(due(kT0), ElementsAre(a, b, d));
  const auto revived = store_->queue.dueForProcessing(10, kT0, 0);
  ASSERT_TRUE(revived.has_value());
  EXPECT_EQ(revived->back().processAttempts, 0);  // a replay starts its attempts again

  EXPECT_EQ(requeue([&](auto& f) { f.id = c; }), 1);
  EXPECT_EQ(requeue([](auto& f) { f.event = "no_such_event"; }), 0);
  EXPECT_EQ(requeue([](auto& f) { f.id = 999; }), 0);
  EXPECT_THAT(due(kT0), ElementsAre(a, b, c, d));
}

TEST_F(ProcessingQueueTest, RebuildEmptiesProjectionsButKeepsItemsAndIncidentAcks) {
  const auto id = appendOne(*store_, delivery("github", "h", "a"));
  const auto records = processed(id,
                                 {repositoryRow("1", "Codertocat/Hello-World"), pullRow({.number = 7}),
                                  issueRow({.number = 42}), runRow("1", "100", "failure", kT0Seconds, kT0Seconds)},
                                 {ciOnMain("1")});
  ASSERT_NO_FATAL_FAILURE(finish({records}, {}));
  appendOne(*store_, delivery("github", "h", "b"));  // still queued: rebuild counts it too
  ItemInput item;
  item.title = "Sprint board";
  ASSERT_TRUE(store_->planning.createItem(item, kT0Seconds));
  ResourceQuery incidents;
  incidents.resource = Resource::Incidents;
  const auto incident = json::parse(store_->reader.listResource(incidents)->items.at(0));
  ASSERT_TRUE(store_->planning.acknowledgeIncident(incident["id"].get<std::int64_t>(), "bob", "on it", kT0Seconds));

  const auto queued = store_->queue.rebuildProjections(0);
  ASSERT_TRUE(queued.has_value()) << queued.error().message;
  EXPECT_EQ(queued->queued, 2);
  EXPECT_EQ(queued->pruned, 0);
  for (const Resource r : {Resource::Pulls, Resource::Issues, Resource::Runs, Resource::Incidents,
                           Resource::Repositories, Resource::Activity})
    EXPECT_EQ(count(r), 0u) << specOf(r).name;
  EXPECT_EQ(count(Resource::Items), 1u);
  EXPECT_EQ(status(id), "queued");
  EXPECT_THAT(due(kT0), ElementsAre(id, id + 1));

  // Processing again finds the acknowledgement of the incident it recreates.
  ASSERT_NO_FATAL_FAILURE(finish({records}, {}));
  const auto again = json::parse(store_->reader.listResource(incidents)->items.at(0));
  EXPECT_EQ(again["acknowledged"]["by"], "bob");
  EXPECT_EQ(again["acknowledged"]["note"], "on it");
  EXPECT_EQ(count(Resource::Pulls), 1u);
}

}  // namespace
}  // namespace forgehook::store::sqlite
