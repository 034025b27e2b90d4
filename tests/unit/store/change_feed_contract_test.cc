// The change feed (store/change_feed.h) as the delivery log writes it, the same tests on every
// backend; then what only several PostgreSQL nodes have: a node hears of another's commits, and
// concurrent writers never let a reader skip a record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using sqlite::delivery;
using sqlite::kSecond;
using sqlite::kT0;

class ChangeFeedContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::StoreUnderTest::make(GetParam()); }

  std::vector<AppendOutcome> append(std::vector<NewDelivery> batch) {
    auto out = store->log().appendBatch(batch);
    if (!out) {
      ADD_FAILURE() << out.error().message;
      return {};
    }
    return *out;
  }
  ChangePage read(ChangeQuery q) {
    auto page = store->feed().read(q);
    if (!page) {
      ADD_FAILURE() << page.error().message;
      return {};
    }
    return *page;
  }

  std::unique_ptr<testing::StoreUnderTest> store;
};

TEST_P(ChangeFeedContract, EachNewDeliveryIsRecordedOnceInOrderAsTheApiShowsIt) {
  const auto out = append({delivery("github", "1", "a", kT0, "push", "Octo/Repo"), delivery("github", "1", "b"),
                           delivery("github", "1", "a")});  // the repeat records nothing
  const auto page = read({});
  ASSERT_EQ(page.changes.size(), 2u);
  EXPECT_FALSE(page.reset);
  EXPECT_LT(page.changes[0].seq, page.changes[1].seq);
  EXPECT_EQ(page.newestSeq, page.changes[1].seq);
  EXPECT_EQ(page.oldestSeq, page.changes[0].seq);
  const auto& first = page.changes[0];
  EXPECT_EQ(first.resource, "deliveries");
  EXPECT_EQ(first.action, "created");
  EXPECT_EQ(first.id, std::to_string(out[0].id));
  EXPECT_EQ(first.forge, "github");
  EXPECT_EQ(first.repository, "Octo/Repo");
  EXPECT_EQ(first.atMicros, kT0);
  const auto data = nlohmann::json::parse(first.dataJson);
  EXPECT_EQ(data["id"], out[0].id);
  EXPECT_EQ(data["delivery_id"], "a");
  EXPECT_EQ(data["event"], "push");
  EXPECT_EQ(data["status"], "queued");
  EXPECT_EQ(data["attempts"], 1);
  EXPECT_EQ(data["received_at"], "2026-11-23T10:00:00.000000Z");
  EXPECT_EQ(page.changes[1].id, std::to_string(out[1].id));
  EXPECT_EQ(store->feed().newestSeq().value(), page.newestSeq);
}

TEST_P(ChangeFeedContract, ReadsFollowFromAfterAndFilter) {
  append({delivery("github", "1", "a", kT0, "push", "Octo/One"), delivery("gitlab", "", "b", kT0, "push", "g/two"),
          delivery("github", "1", "c", kT0, "push", "octo/one")});
  const auto all = read({});
  ASSERT_EQ(all.changes.size(), 3u);
  ChangeQuery next;
  next.after = all.changes[0].seq;
  next.limit = 1;
  const auto one = read(next);
  ASSERT_EQ(one.changes.size(), 1u);
  EXPECT_EQ(one.changes[0].seq, all.changes[1].seq);
  ChangeQuery byRepo;
  byRepo.repository = "OCTO/ONE";
  EXPECT_EQ(read(byRepo).changes.size(), 2u);
  ChangeQuery byForge;
  byForge.forge = "gitlab";
  EXPECT_EQ(read(byForge).changes.size(), 1u);
  ChangeQuery byResource;
  byResource.resources = {"pulls", "issues"};
  EXPECT_TRUE(read(byResource).changes.empty());
  byResource.resources = {"deliveries"};
  EXPECT_EQ(read(byResource).changes.size(), 3u);
}

TEST_P(ChangeFeedContract, ALimitOutOfRangeIsInvalidArgumentAndAFutureResumePointIsAReset) {
  for (const int limit : {0, 1001}) {
    ChangeQuery q;
    q.limit = limit;
    auto page = store->feed().read(q);
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument);
  }
  append({delivery("github", "1", "a")});
  ChangeQuery future;
  future.after = read({}).newestSeq + 5;  // from another database
  EXPECT_TRUE(read(future).reset);
}

TEST_P(ChangeFeedContract, PruningKeepsTheNewestAndTellsAReaderBehindToRefetch) {
  std::vector<NewDelivery> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(delivery("github", "1", "p" + std::to_string(i), kT0 + i * kSecond));
  append(batch);
  const auto before = read({});
  ChangeRetention keepTwo;
  keepTwo.maxRecords = 2;
  keepTwo.maxAgeMicros = 365LL * 86400 * kSecond;
  auto pruned = store->feed().prune(keepTwo, kT0 + 10 * kSecond);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 3);
  const auto after = read({});
  EXPECT_TRUE(after.reset);  // records after 0 are gone
  EXPECT_EQ(after.oldestSeq, before.changes[3].seq);
  EXPECT_EQ(after.newestSeq, before.newestSeq);
  ChangeQuery caughtUp;
  caughtUp.after = before.changes[2].seq;
  const auto fine = read(caughtUp);
  EXPECT_FALSE(fine.reset);
  EXPECT_EQ(fine.changes.size(), 2u);
  ChangeRetention byAge;  // everything is old, and still the newest record stays
  byAge.maxAgeMicros = 1;
  EXPECT_EQ(store->feed().prune(byAge, kT0 + 100 * kSecond).value(), 1);
  EXPECT_EQ(read(caughtUp).oldestSeq, before.newestSeq);
}

TEST_P(ChangeFeedContract, TheCommitListenerHearsOfAnAppend) {
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  store->feed().setCommitListener([&] {
    std::lock_guard lock(m);
    ++calls;
    cv.notify_all();
  });
  std::unique_lock lock(m);
  // PostgreSQL's listener calls once when it has connected (its catch-up); SQLite's only on commits.
  // Its timer is a minute in these tests, so what follows the append can only be the notification.
  if (GetParam() == "postgres") {
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return calls > 0; })) << "the listener did not connect";
  }
  const int before = calls;
  lock.unlock();
  append({delivery("github", "1", "heard")});
  lock.lock();
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return calls > before; }));
  lock.unlock();
  store.reset();  // stops the listener before what it captured goes
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangeFeedContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

// Node B hears of node A's commit through NOTIFY, not a timer: B's catch-up tick is a minute here.
// (How soon, on a loaded machine, is for a benchmark; the bound here only has to beat the timer.)
TEST(PostgresChangeFeed, ANodeHearsOfAnotherNodesCommitThroughANotification) {
  testing::PostgresUnderTest nodeA;
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  postgres::PgPool poolB({nodeA.url(), ""}, 2);
  postgres::PgChangeFeed feedB(poolB, {nodeA.url(), ""}, 60'000);
  feedB.setCommitListener([&] {
    std::lock_guard lock(m);
    ++calls;
    cv.notify_all();
  });
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return calls >= 1; }))
      << "B's listener did not connect";  // the first call: it caught up on connecting
  const int connected = calls;
  lock.unlock();
  ASSERT_TRUE(nodeA.log().appendBatch(std::vector<NewDelivery>{delivery("github", "1", "from-a")}));
  lock.lock();
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return calls > connected; }))
      << "B heard nothing of A's commit";
  lock.unlock();
  auto page = feedB.read({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->changes.size(), 1u);
  EXPECT_THAT(page->changes[0].dataJson, ::testing::HasSubstr("\"from-a\""));
}

// Three nodes append at once while a reader follows the feed page by page from the last seq it saw:
// it must see every record exactly once. Numbered by a sequence instead of the counter's lock, a
// transaction could commit a higher seq before a lower one and the reader would skip the lower.
TEST(PostgresChangeFeed, ConcurrentWritersNeverLetAFollowingReaderSkipARecord) {
  testing::PostgresUnderTest store;
  constexpr int kNodes = 3, kBatches = 60, kPerBatch = 4;
  std::atomic<int> writing{kNodes};
  std::vector<std::jthread> nodes;  // joined on every way out of the test, a failed ASSERT's too
  for (int n = 0; n < kNodes; ++n)
    nodes.emplace_back([&, n] {
      postgres::PgPool pool({store.url(), ""}, 1);
      postgres::PgDeliveryLog log(pool);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<NewDelivery> batch;
        for (int i = 0; i < kPerBatch; ++i)
          batch.push_back(delivery("github", std::to_string(n), std::to_string(b * kPerBatch + i)));  // hook n
        EXPECT_TRUE(log.appendBatch(batch));
      }
      --writing;
    });
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  for (bool last = false; !last;) {
    last = writing == 0;  // one more pass after the writers are done
    for (;;) {
      ChangeQuery q;
      q.after = after;
      q.limit = 50;
      auto page = store.feed().read(q);
      ASSERT_TRUE(page) << page.error().message;
      ASSERT_FALSE(page->reset);
      for (const auto& c : page->changes) seen.push_back(c.seq);
      if (page->changes.empty()) break;
      after = page->changes.back().seq;
    }
  }
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kNodes * kBatches * kPerBatch));
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<std::int64_t>(i + 1)) << "at " << i;
}

}  // namespace
}  // namespace forgehook::store
