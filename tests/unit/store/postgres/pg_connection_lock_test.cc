// Locks of forge work across nodes (store/postgres/pg_connection_store.h, lockAcrossNodes): two
// nodes never do one component's work on one connection at once; another connection or another
// component does not wait; a node that dies lets go.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/postgres/pg_connection_store.h"
#include "support/store_under_test.h"
#include "support/test_keyring.h"

namespace forgehook::store::postgres {
namespace {

using namespace std::chrono_literals;

TEST(PgConnectionLock, OneNodeAtATimeWorksOnAConnectionAndOthersWaitForIt) {
  testing::PostgresUnderTest store;
  PgConnectionStore a(store.pool(), testing::testKeyring(), {store.url(), ""});
  PgConnectionStore b(store.pool(), testing::testKeyring(), {store.url(), ""});
  auto held = a.lockAcrossNodes("reconciler", 7);
  ASSERT_TRUE(held) << held.error().message;
  // Another connection, or another component on this one, does not wait.
  ASSERT_TRUE(b.lockAcrossNodes("reconciler", 8));
  ASSERT_TRUE(b.lockAcrossNodes("poller", 7));
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto second = b.lockAcrossNodes("reconciler", 7);
    EXPECT_TRUE(second) << second.error().message;
    got = true;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(got) << "a second node took a lock the first holds";
  held->reset();  // the first node is done (or died: its session ends the same way)
  for (int i = 0; i < 100 && !got; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(got) << "the lock was not handed over";
  waiter.join();
}

}  // namespace
}  // namespace forgehook::store::postgres
