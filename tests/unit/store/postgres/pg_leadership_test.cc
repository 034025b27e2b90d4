// Leadership of periodic jobs on PostgreSQL (store/postgres/pg_leadership.h): one node at a time per
// job, and when the leader's connection goes (the node died), another node leads at its next try.
#include "store/postgres/pg_leadership.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/store_under_test.h"

namespace forgehook::store::postgres {
namespace {

TEST(PgLeadership, OneNodeLeadsAJobAtATimeAndAResignationHandsItOver) {
  testing::PostgresUnderTest store;
  PgLeadership a({store.url(), ""}), b({store.url(), ""});
  EXPECT_TRUE(a.lead("reconcile").value());
  EXPECT_TRUE(a.lead("reconcile").value());  // still: asked again
  EXPECT_FALSE(b.lead("reconcile").value());
  EXPECT_TRUE(b.lead("retention").value());  // jobs are led apart
  EXPECT_FALSE(a.lead("retention").value());
  a.resign("reconcile");
  EXPECT_TRUE(b.lead("reconcile").value());
  EXPECT_FALSE(a.lead("reconcile").value());
}

TEST(PgLeadership, WhenTheLeadersConnectionGoesAnotherNodeLeadsAndTheOldLeaderKnowsItDoesNot) {
  testing::PostgresUnderTest store;
  PgLeadership a({store.url(), ""}), b({store.url(), ""});
  ASSERT_TRUE(a.lead("poll").value());
  ASSERT_FALSE(b.lead("poll").value());
  // The leader's session ends as if its node died: the server drops its locks with it.
  const auto killed = store.rawTexts(
      "SELECT pg_terminate_backend(pid)::text FROM pg_locks WHERE locktype = 'advisory' AND classid = 26216 AND "
      "granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0], "true");
  bool taken = false;
  for (int i = 0; i < 50 && !taken; ++i) {  // the backend exits asynchronously
    taken = b.lead("poll").value();
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(taken) << "no other node took the job over";
  EXPECT_FALSE(a.lead("poll").value()) << "the old leader still believes it leads";
}

}  // namespace
}  // namespace forgehook::store::postgres
