#include "forge/poller.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "forge/polled_event.h"
#include "forge_fixture.h"

namespace forgehook::forge {
namespace {

PolledEvent issueEvent(const std::string& id, int number) {
  nlohmann::json e = {{"id", id},
                      {"type", "IssuesEvent"},
                      {"actor", {{"id", 1}, {"login", "octocat"}}},
                      {"repo", {{"id", 42}, {"name", "octo/repo"}}},
                      {"payload", {{"action", "opened"}, {"issue", {{"number", number}, {"title", "Bug"}}}}},
                      {"created_at", "2026-11-23T10:00:00Z"}};
  return {id, "IssuesEvent", 0, e.dump()};
}

class PollerTest : public ForgeTest {
 protected:
  void SetUp() override {
    ForgeTest::SetUp();
    store::Connection c;
    c.forge = "github";
    c.target = "octo/repo";
    c.mode = "poll";
    c.status = "polling";
    connection_ = *store().connections.createConnection(c);
    poller_ = std::make_unique<Poller>(
        store().connections, clients_,
        [this](store::NewDelivery d) -> core::Result<void> {
          if (failAppend_) return std::unexpected(core::Error::unavailable("store_unavailable", "disk full", 1));
          appended_.push_back(d);
          return {};
        },
        clock_, logger_, PollerOptions{0, 1});
  }

  store::Connection connection_;
  std::unique_ptr<Poller> poller_;
  std::vector<store::NewDelivery> appended_;
  bool failAppend_ = false;
};

TEST_F(PollerTest, NewEventsBecomeDeliveriesOldestFirstAndA304AddsNothing) {
  fake().events = {issueEvent("1003", 3), issueEvent("1002", 2), issueEvent("1001", 1)};
  fake().pollInterval = 30;
  auto first = poller_->poll(connection_.id);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->submitted, 3);
  ASSERT_EQ(appended_.size(), 3u);
  EXPECT_EQ(appended_[0].deliveryId, "event-1001");
  EXPECT_EQ(appended_[2].deliveryId, "event-1003");
  EXPECT_EQ(appended_[0].source, "poll");
  EXPECT_EQ(appended_[0].event, "issues");
  EXPECT_EQ(first->nextPollAt, clock_.nowMicros() / 1'000'000 + 30);  // the forge's X-Poll-Interval

  auto unchanged = poller_->poll(connection_.id);
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_TRUE(unchanged->notModified);
  EXPECT_EQ(appended_.size(), 3u);

  fake().events.insert(fake().events.begin(), issueEvent("1004", 4));
  ++fake().eventsVersion;
  auto more = poller_->poll(connection_.id);
  EXPECT_EQ(more->submitted, 1);
  EXPECT_EQ(appended_.back().deliveryId, "event-1004");
}

TEST_F(PollerTest, EventsNotCommittedAreFetchedAgain) {
  fake().events = {issueEvent("2002", 2), issueEvent("2001", 1)};
  failAppend_ = true;
  EXPECT_FALSE(poller_->poll(connection_.id).has_value());
  auto c = *store().connections.getConnection(connection_.id);
  EXPECT_FALSE(c.pollSeenEventId.has_value());
  EXPECT_FALSE(c.pollEtag.has_value());  // else a 304 would hide them
  failAppend_ = false;
  auto again = poller_->poll(connection_.id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->submitted, 2);
}

TEST_F(PollerTest, AFailedPollOfAPolledConnectionShowsInItsStatus) {
  fake().failNext("pollEvents", core::Error::unavailable("forge_unavailable", "the forge answered 502", 0));
  EXPECT_FALSE(poller_->poll(connection_.id).has_value());
  auto c = *store().connections.getConnection(connection_.id);
  EXPECT_EQ(c.error, "the forge answered 502");
  EXPECT_TRUE(c.failingSince.has_value());
  ASSERT_TRUE(poller_->poll(connection_.id).has_value());
  c = *store().connections.getConnection(connection_.id);
  EXPECT_FALSE(c.error.has_value());
  EXPECT_FALSE(c.failingSince.has_value());
}

TEST(Pollable, IsAGitHubRepositoryWhoseHookIsNotWorkingOrThatChosePolling) {
  store::Connection c;
  c.forge = "github";
  c.status = "active";
  EXPECT_FALSE(Poller::pollable(c));
  c.status = "failed";
  EXPECT_TRUE(Poller::pollable(c));
  c.status = "active";
  c.failingSince = 1;
  EXPECT_TRUE(Poller::pollable(c));
  c.failingSince.reset();
  c.mode = "poll";
  EXPECT_TRUE(Poller::pollable(c));
  c.forge = "gitlab";
  EXPECT_FALSE(Poller::pollable(c));
}

TEST(PolledEvent, BecomesAWebhookShapedDelivery) {
  nlohmann::json e = {{"id", "123"},
                      {"type", "PushEvent"},
                      {"actor", {{"id", 7}, {"login", "octocat"}}},
                      {"repo", {{"id", 42}, {"name", "octo/repo"}}},
                      {"org", {{"login", "octo"}}},
                      {"payload", {{"ref", "refs/heads/main"}, {"head", "abc"}, {"before", "def"}}}};
  auto d = deliveryFromEvent({"123", "PushEvent", 0, e.dump()}, 0, 5);
  ASSERT_TRUE(d.has_value() && d->has_value());
  EXPECT_EQ((*d)->event, "push");
  EXPECT_EQ((*d)->hookId, kPolledHookId);
  EXPECT_EQ((*d)->repository, "octo/repo");
  EXPECT_EQ((*d)->sender, "octocat");
  EXPECT_EQ((*d)->verification, "events-api");
  auto body = nlohmann::json::parse((*d)->body);
  EXPECT_EQ(body["after"], "abc");
  EXPECT_EQ(body["repository"]["full_name"], "octo/repo");
  EXPECT_EQ(body["repository"]["id"], 42);
  EXPECT_EQ(body["repository"]["owner"]["login"], "octo");
  EXPECT_EQ(body["sender"]["login"], "octocat");
  EXPECT_EQ(body["organization"]["login"], "octo");

  auto watch = deliveryFromEvent({"124", "SponsorshipEvent", 0, e.dump()}, 0, 5);
  ASSERT_TRUE(watch.has_value());
  EXPECT_FALSE(watch->has_value());
  EXPECT_FALSE(deliveryFromEvent({"125", "PushEvent", 0, "[]"}, 0, 5).has_value());
}

TEST(PolledEvent, IdsCompareAsNumbers) {
  EXPECT_TRUE(newerEventId("10", "9"));
  EXPECT_FALSE(newerEventId("9", "10"));
  EXPECT_TRUE(newerEventId("1002", "1001"));
  EXPECT_FALSE(newerEventId("1001", "1001"));
}

}  // namespace
}  // namespace forgehook::forge
