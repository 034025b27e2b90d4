#include "mcp/mcp_session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/idle_change_hub.h"
#include "support/recording_sink.h"

namespace forgehook::mcp {
namespace {

using namespace std::chrono_literals;

class McpSessionTest : public ::testing::Test {
 protected:
  testing::IdleChangeHub idle;
  live::ChangeHub& hub = idle.hub;
  SteadyTime t0 = std::chrono::steady_clock::now();
  std::shared_ptr<McpSession> session =
      std::make_shared<McpSession>(McpSession::Identity{"id", "tok", true, "2025-11-25"}, hub, t0);
  std::shared_ptr<testing::RecordingSink> sink = std::make_shared<testing::RecordingSink>();
};

TEST_F(McpSessionTest, ABurstOfChangesIsOneNotificationThenAtMostOnePerGap) {
  session->attachStream(sink);
  session->changed("forgehook://items");
  session->changed("forgehook://items");
  session->flush(t0);
  ASSERT_EQ(sink->messages().size(), 1u);
  EXPECT_NE(sink->messages()[0].find(R"("method":"notifications/resources/updated")"), std::string::npos);
  EXPECT_NE(sink->messages()[0].find(R"("uri":"forgehook://items")"), std::string::npos);
  session->changed("forgehook://items");
  session->flush(t0 + 100ms);
  EXPECT_EQ(sink->messages().size(), 1u) << "within the gap: held back";
  session->flush(t0 + McpSession::kNotifyGap);
  EXPECT_EQ(sink->messages().size(), 2u) << "after the gap: sent";
  session->flush(t0 + 1s);
  EXPECT_EQ(sink->messages().size(), 2u) << "nothing new";
}

TEST_F(McpSessionTest, ChangesWaitForAStream) {
  session->changed("forgehook://status");
  session->flush(t0);
  session->attachStream(sink);
  session->flush(t0 + 10ms);
  EXPECT_EQ(sink->messages().size(), 1u);
}

TEST_F(McpSessionTest, SubscriptionsAreIdempotentAndEndedWithTheSession) {
  const auto pulls = *parseResourceUri("forgehook://repositories/o/r/pulls");
  session->subscribeResource(pulls);
  session->subscribeResource(pulls);
  session->subscribeChanges("s", {"items"}, std::nullopt);
  EXPECT_EQ(session->subscriptions(), 2u);
  EXPECT_TRUE(session->unsubscribeResource(pulls.uri()));
  EXPECT_FALSE(session->unsubscribeResource(pulls.uri()));
  session->attachStream(sink);
  session->end("bye");
  EXPECT_TRUE(sink->closed());
  EXPECT_EQ(session->subscriptions(), 0u);
}

TEST_F(McpSessionTest, ANewStreamReplacesTheOld) {
  auto second = std::make_shared<testing::RecordingSink>();
  session->attachStream(sink);
  session->attachStream(second);
  EXPECT_TRUE(sink->closed());
  session->detachStream(sink.get());  // the old one's close must not detach the new one
  session->changed("forgehook://items");
  session->flush(t0);
  EXPECT_EQ(second->messages().size(), 1u);
}

// A feed whose only seq is a reset point (a rebuild's), there once `rebuilt` is set.
class ResetOnlyFeed final : public store::ChangeFeed {
 public:
  std::atomic<bool> rebuilt{false}, asked{false};
  core::Result<store::ChangePage> read(const store::ChangeQuery& q) override {
    store::ChangePage page;
    if (!rebuilt) return page;
    page.newestSeq = 1;
    if (q.after < 1) {
      page.reset = true;
      page.resetAt = 1;
    }
    return page;
  }
  core::Result<std::int64_t> newestSeq() override {
    asked = true;
    return rebuilt ? 1 : 0;
  }
  core::Result<std::int64_t> prune(const store::ChangeRetention&, std::int64_t) override { return 0; }
  void setCommitListener(std::function<void()>) override {}
};

// A started hub over ResetOnlyFeed and a session with a stream, for what a reset point notifies.
class McpSessionResetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub.start();
    session->attachStream(sink);
  }
  void TearDown() override {
    session->end("bye");
    hub.stop();
  }
  // Once the session's subscriptions have joined the hub (it read the newest seq for them), the
  // rebuild's reset point commits; flushes until `count` notifications went out (or 5 s). Returns
  // them all in one string.
  std::string notificationsAfterTheReset(std::size_t count) {
    for (int i = 0; i < 500 && !feed.asked; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(feed.asked);
    feed.rebuilt = true;
    hub.notify();
    for (int i = 1; i <= 500 && sink->messages().size() < count; ++i) {
      std::this_thread::sleep_for(10ms);
      session->flush(t0 + i * 10ms);
    }
    EXPECT_EQ(sink->messages().size(), count);
    std::string all;
    for (const auto& m : sink->messages()) all += m;
    return all;
  }

  ResetOnlyFeed feed;
  core::Logger logger{core::LogLevel::Error};
  live::ChangeHub hub{feed, logger, {}};
  SteadyTime t0 = std::chrono::steady_clock::now();
  std::shared_ptr<McpSession> session =
      std::make_shared<McpSession>(McpSession::Identity{"id", "tok", true, "2025-11-25"}, hub, t0);
  std::shared_ptr<testing::RecordingSink> sink = std::make_shared<testing::RecordingSink>();
};

TEST_F(McpSessionResetTest, ARebuildsResetPointNotifiesEverySubscribedResource) {
  session->subscribeResource(*parseResourceUri("forgehook://repositories/o/r/pulls"));
  const auto sent = notificationsAfterTheReset(1);
  EXPECT_NE(sent.find(R"("uri":"forgehook://repositories/o/r/pulls")"), std::string::npos) << sent;
}

TEST_F(McpSessionResetTest, ARebuildsResetPointNotifiesTheResourcesAChangeSubscriptionNames) {
  session->subscribeChanges("s", {"items", "pulls"}, std::string("o/r"));
  const auto sent = notificationsAfterTheReset(2);
  EXPECT_NE(sent.find(R"("uri":"forgehook://items")"), std::string::npos) << sent;
  EXPECT_NE(sent.find(R"("uri":"forgehook://repositories/o/r/pulls")"), std::string::npos) << sent;
}

}  // namespace
}  // namespace forgehook::mcp
