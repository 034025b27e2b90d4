// Retention of delivery bodies (store/body_retention.h), the same tests on every backend: only
// settled bodies received before the cutoff go, oldest first, in batches with a pause between full
// ones; the delivery's row, headers and status stay. (SQLite's body journal segments are tested in
// sqlite/body_retention_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using sqlite::delivery;
using sqlite::kSecond;
using sqlite::kT0;

constexpr std::int64_t kDay = 86'400 * kSecond;
constexpr std::int64_t kNow = kT0 + 40 * kDay;

class BodyRetentionContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::StoreUnderTest::make(GetParam()); }

  // A delivery received at `at` that the pipeline is done with.
  std::int64_t settledAt(std::int64_t at, const std::string& guid, const std::string& status = "processed") {
    auto out = store->log().appendBatch(std::vector<NewDelivery>{delivery("github", "h", guid, at)});
    EXPECT_TRUE(out) << out.error().message;
    const auto id = (*out)[0].id;
    store->rawExec("UPDATE deliveries SET status = '" + status + "' WHERE id = " + std::to_string(id));
    return id;
  }
  PrunedBodies prune(std::int64_t cutoff, int batchRows = 500, const std::function<bool()>& between = [] { return true; }) {
    auto pruned = store->retention().pruneBodies(cutoff, kNow, batchRows, between);
    EXPECT_TRUE(pruned) << pruned.error().message;
    return pruned.value_or(PrunedBodies{-1, -1});
  }

  std::unique_ptr<testing::StoreUnderTest> store;
};

TEST_P(BodyRetentionContract, PrunesOnlySettledBodiesReceivedBeforeTheCutoffAndKeepsTheRest) {
  const auto old = settledAt(kT0, "old");
  const auto dead = settledAt(kT0 + kSecond, "dead", "dead");
  const auto recent = settledAt(kT0 + 30 * kDay, "recent");
  const auto retrying = settledAt(kT0, "retrying", "retrying");
  auto queued = store->log().appendBatch(std::vector<NewDelivery>{delivery("github", "h", "queued", kT0)});
  ASSERT_TRUE(queued);
  const auto cutoff = kT0 + 10 * kDay;

  const auto measured = store->retention().measurePrunable(cutoff);
  ASSERT_TRUE(measured) << measured.error().message;
  EXPECT_EQ(measured->deliveries, 2);
  EXPECT_GT(measured->bytes, 0);
  EXPECT_FALSE(store->log().getDelivery(old)->bodyPrunedAt) << "measuring pruned";

  const auto pruned = prune(cutoff);
  EXPECT_EQ(pruned.deliveries, 2);
  EXPECT_EQ(pruned.bytes, measured->bytes);
  for (const auto id : {old, dead}) {
    const auto gone = store->log().getDelivery(id);
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_EQ(gone->bodyPrunedAt, kNow);
    EXPECT_TRUE(gone->rawBody.empty());
    EXPECT_EQ(gone->headersJson, R"({"X-GitHub-Event":"issues"})");  // the headers and summary stay
    EXPECT_EQ(gone->deliveryId, id == old ? "old" : "dead");
  }
  for (const auto id : {recent, retrying, (*queued)[0].id}) {
    const auto kept = store->log().getDelivery(id);
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->bodyPrunedAt) << id;
    EXPECT_FALSE(kept->rawBody.empty()) << id;
  }
  EXPECT_EQ(store->retention().measurePrunable(cutoff)->deliveries, 0);
  EXPECT_EQ(prune(cutoff).deliveries, 0);
}

TEST_P(BodyRetentionContract, PrunesInBatchesPausingBetweenFullOnesAndStopsWhenAskedOldestFirst) {
  for (int i = 0; i < 5; ++i) settledAt(kT0 + i * kSecond, std::to_string(i));
  int pauses = 0;
  const auto pruned = prune(kT0 + kDay, 2, [&] {
    ++pauses;
    return true;
  });
  EXPECT_EQ(pruned.deliveries, 5);
  EXPECT_EQ(pauses, 2);  // after the batches of 2 and 2; the last one (1) ends it

  const auto later = settledAt(kT0 + 2 * kDay + 2 * kSecond, "later");
  const auto earlier = settledAt(kT0 + 2 * kDay + kSecond, "earlier");  // received earlier, appended later
  EXPECT_EQ(prune(kT0 + 3 * kDay, 1, [] { return false; }).deliveries, 1);
  EXPECT_TRUE(store->log().getDelivery(earlier)->bodyPrunedAt);
  EXPECT_FALSE(store->log().getDelivery(later)->bodyPrunedAt);
}

INSTANTIATE_TEST_SUITE_P(Backends, BodyRetentionContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

// PostgreSQL only: two nodes pruning at once prune each body once (a batch another node holds is
// skipped, not waited for and not counted twice).
TEST(PostgresBodyRetention, TwoNodesPruningAtOnceCountEachBodyOnce) {
  testing::PostgresUnderTest store;
  std::vector<NewDelivery> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(delivery("github", "h", std::to_string(i), kT0 + i));
  ASSERT_TRUE(store.log().appendBatch(batch));
  store.rawExec("UPDATE deliveries SET status = 'processed'");
  const auto prunable = store.retention().measurePrunable(kT0 + kDay);
  ASSERT_TRUE(prunable);
  std::atomic<std::int64_t> pruned{0}, bytes{0};
  {
    std::latch connected(2);  // both start pruning together, so their batches meet
    std::vector<std::jthread> nodes;
    for (int n = 0; n < 2; ++n)
      nodes.emplace_back([&] {
        postgres::PgPool pool({store.url(), ""}, 1);
        postgres::PgBodyRetention retention(pool);
        ASSERT_TRUE(pool.exec("SELECT 1"));  // connected before the race
        connected.arrive_and_wait();
        auto done = retention.pruneBodies(kT0 + kDay, kNow, 7, [] { return true; });
        ASSERT_TRUE(done) << done.error().message;
        pruned += done->deliveries;
        bytes += done->bytes;
      });
  }
  EXPECT_EQ(pruned.load(), 300);
  EXPECT_EQ(store.rawTexts("SELECT count(*) FROM deliveries WHERE body_pruned_at IS NULL"), std::vector<std::string>{"0"});
  EXPECT_EQ(store.retention().measurePrunable(kT0 + kDay)->deliveries, 0);
  EXPECT_EQ(bytes.load(), prunable->bytes);
}

}  // namespace
}  // namespace forgehook::store
