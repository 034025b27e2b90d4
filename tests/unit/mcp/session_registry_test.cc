#include "mcp/session_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/idle_change_hub.h"
#include "support/recording_sink.h"

namespace forgehook::mcp {
namespace {

using namespace std::chrono_literals;

// Polls `condition` until it holds or 5 s pass.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

McpSession::Identity identity(std::string token = "tok") { return {{}, std::move(token), true, "2025-11-25"}; }

class SessionRegistryTest : public ::testing::Test {
 protected:
  testing::IdleChangeHub idle;
  std::atomic<bool> tokenValid{true};
  SessionRegistry::TokenValid valid = [this](const std::string&) { return tokenValid.load(); };
};

TEST_F(SessionRegistryTest, SessionsGetDistinct128BitIdsAndCanBeEnded) {
  SessionRegistry registry(idle.hub, valid, {});
  auto a = registry.create(identity());
  auto b = registry.create(identity());
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)->identity().id.size(), 32u);
  EXPECT_NE((*a)->identity().id, (*b)->identity().id);
  EXPECT_EQ(registry.find((*a)->identity().id), *a);
  EXPECT_TRUE(registry.end((*a)->identity().id));
  EXPECT_EQ(registry.find((*a)->identity().id), nullptr);
  EXPECT_FALSE(registry.end("unknown"));
}

TEST_F(SessionRegistryTest, TheFirstSessionsChangesAreFlushedSoonWithoutWaitingForTheIdleTimer) {
  SessionRegistry registry(idle.hub, valid, {.revocationCheck = 60s});
  std::this_thread::sleep_for(20ms);  // the flush thread is waiting with no session
  auto session = registry.create(identity());
  ASSERT_TRUE(session);
  auto sink = std::make_shared<testing::RecordingSink>();
  (*session)->attachStream(sink);
  const auto changedAt = std::chrono::steady_clock::now();
  (*session)->changed("forgehook://items");
  ASSERT_TRUE(eventually([&] { return !sink->messages().empty(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - changedAt, 1s);
}

TEST_F(SessionRegistryTest, TheBoundRefusesNewSessionsUntilOneEnds) {
  SessionRegistry registry(idle.hub, valid, {.maxSessions = 2});
  auto first = registry.create(identity());
  ASSERT_TRUE(registry.create(identity()));
  auto third = registry.create(identity());
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().reason, "mcp_sessions_full");
  registry.end((*first)->identity().id);
  EXPECT_TRUE(registry.create(identity()));
}

TEST_F(SessionRegistryTest, IdleSessionsExpire) {
  SessionRegistry registry(idle.hub, valid, {.idleTimeout = 0s, .revocationCheck = 1s});
  auto session = registry.create(identity());
  ASSERT_TRUE(session);
  const auto id = (*session)->identity().id;
  session->reset();
  EXPECT_TRUE(eventually([&] { return registry.find(id) == nullptr; }));
}

TEST_F(SessionRegistryTest, ARevokedTokenEndsItsSessionsAndClosesTheirStream) {
  SessionRegistry registry(idle.hub, valid, {.revocationCheck = 1s});
  auto session = registry.create(identity());
  ASSERT_TRUE(session);
  auto sink = std::make_shared<testing::RecordingSink>();
  (*session)->attachStream(sink);
  const auto id = (*session)->identity().id;
  tokenValid = false;
  EXPECT_TRUE(eventually([&] { return registry.find(id) == nullptr; }));
  // The session leaves the registry first, then its stream is closed (outside the registry's lock).
  EXPECT_TRUE(eventually([&] { return sink->closed(); }));
}

}  // namespace
}  // namespace forgehook::mcp
