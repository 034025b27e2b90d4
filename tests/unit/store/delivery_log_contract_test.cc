// The delivery log's contract (store/delivery_log.h), the same tests on every backend: SQLite (the
// embedded default) and PostgreSQL (a throwaway cluster, support/postgres_cluster.h). What only
// one backend has (SQLite's body journal, PostgreSQL's concurrent nodes) is tested beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "store/body_codec.h"
#include "support/store_under_test.h"

namespace forgehook::store {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using sqlite::delivery;
using sqlite::kSecond;
using sqlite::kT0;

class DeliveryLogContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store_ = testing::StoreUnderTest::make(GetParam()); }
  DeliveryLog& log() { return store_->log(); }

  std::vector<AppendOutcome> append(std::vector<NewDelivery> batch) {
    auto outcomes = log().appendBatch(batch);
    if (!outcomes) {
      ADD_FAILURE() << "appendBatch failed: " << outcomes.error().message;
      return {};
    }
    EXPECT_EQ(outcomes->size(), batch.size());
    return *outcomes;
  }

  DeliveryPage list(DeliveryFilter filter) {
    auto page = log().listDeliveries(filter);
    if (!page) {
      ADD_FAILURE() << "listDeliveries failed: " << page.error().message;
      return {};
    }
    return *page;
  }

  std::unique_ptr<testing::StoreUnderTest> store_;
};

TEST_P(DeliveryLogContract, AppendInsertsInOrderWithIncreasingIds) {
  const auto out = append({delivery("github", "1", "a"), delivery("github", "1", "b"), delivery("gitlab", "", "c")});
  ASSERT_EQ(out.size(), 3u);
  for (const auto& o : out) EXPECT_EQ(o.status, AppendStatus::Inserted);
  EXPECT_LT(out[0].id, out[1].id);
  EXPECT_LT(out[1].id, out[2].id);
  EXPECT_THAT(sqlite::ids(list({})), ElementsAre(out[2].id, out[1].id, out[0].id));
}

TEST_P(DeliveryLogContract, ARedeliveryIsADuplicateOfTheSameRowWithItsAttemptCounted) {
  const auto first = append({delivery("github", "1", "guid-1", kT0)});
  const auto again = append({delivery("github", "1", "guid-1", kT0 + 5 * kSecond)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, AppendStatus::Duplicate);
  EXPECT_EQ(again[0].id, first[0].id);
  auto d = log().getDelivery(first[0].id);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->receivedAt, kT0);
  EXPECT_EQ(d->lastAttemptAt, kT0 + 5 * kSecond);
  EXPECT_EQ(list({}).deliveries.size(), 1u);
}

TEST_P(DeliveryLogContract, TheSameDeliveryIdUnderAnotherHookOrForgeIsAnotherDelivery) {
  const auto out = append({delivery("github", "1", "x"), delivery("github", "2", "x"), delivery("gitea", "1", "x")});
  for (const auto& o : out) EXPECT_EQ(o.status, AppendStatus::Inserted);
  EXPECT_EQ(list({}).deliveries.size(), 3u);
}

TEST_P(DeliveryLogContract, RepeatsInsideOneBatchAreDuplicatesOfItsFirst) {
  const auto out = append({delivery("github", "1", "r"), delivery("github", "1", "s"), delivery("github", "1", "r")});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].status, AppendStatus::Inserted);
  EXPECT_EQ(out[2].status, AppendStatus::Duplicate);
  EXPECT_EQ(out[2].id, out[0].id);
  EXPECT_EQ(log().getDelivery(out[0].id)->attempts, 2);
}

TEST_P(DeliveryLogContract, GetDeliveryGivesBackHeadersAndTheBodyAsReceived) {
  // zstd-encoded JSON and a binary identity body with every byte value (bytea must not mangle it).
  auto json = delivery("github", "1", "z");
  const std::string raw = R"({"action":"opened","padding":")" + std::string(4000, 'p') + "\"}";
  auto encoded = encodeBody(raw, 3);
  json.body = encoded.bytes;
  json.bodyEncoding = encoded.encoding;
  json.bodySize = static_cast<std::int64_t>(raw.size());
  json.headersJson = R"({"X-GitHub-Event":"issues","X-GitHub-Delivery":"z"})";
  auto binary = delivery("gitlab", "", "bin");
  binary.body = sqlite::randomBytes(1024, 7) + std::string(3, '\0');
  binary.bodySize = static_cast<std::int64_t>(binary.body.size());
  const auto out = append({json, binary});
  auto a = log().getDelivery(out[0].id);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->rawBody, raw);
  EXPECT_EQ(a->headersJson, json.headersJson);
  EXPECT_EQ(a->bodySize, json.bodySize);
  EXPECT_EQ(a->event, "issues");
  EXPECT_EQ(a->status, "queued");
  EXPECT_EQ(a->source, "webhook");
  auto b = log().getDelivery(out[1].id);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->rawBody, binary.body);
}

TEST_P(DeliveryLogContract, AnUnknownIdIsNotFound) {
  auto d = log().getDelivery(424242);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, core::Code::NotFound);
}

TEST_P(DeliveryLogContract, ListFiltersByForgeEventRepositoryCaseInsensitivelyAndDeliveryId) {
  const auto out = append({delivery("github", "1", "a", kT0, "issues", "Octo/One"),
                           delivery("github", "1", "b", kT0, "push", "octo/one"),
                           delivery("gitlab", "", "c", kT0, "push", "group/two"),
                           delivery("github", "2", "a", kT0, "push", "octo/two")});
  const auto where = [](std::optional<std::string> forge, std::optional<std::string> event,
                         std::optional<std::string> repository, std::optional<std::string> status) {
    DeliveryFilter f;
    f.forge = std::move(forge);
    f.event = std::move(event);
    f.repository = std::move(repository);
    f.status = std::move(status);
    return f;
  };
  const auto any = std::nullopt;
  EXPECT_THAT(sqlite::ids(list(where("gitlab", any, any, any))), ElementsAre(out[2].id));
  EXPECT_THAT(sqlite::ids(list(where(any, "push", any, any))), ElementsAre(out[3].id, out[2].id, out[1].id));
  EXPECT_THAT(sqlite::ids(list(where(any, any, "OCTO/ONE", any))), ElementsAre(out[1].id, out[0].id));
  EXPECT_THAT(sqlite::ids(list(where(any, "push", "octo/one", any))), ElementsAre(out[1].id));
  EXPECT_EQ(sqlite::ids(list(where(any, any, any, "queued"))).size(), 4u);
  EXPECT_TRUE(list(where(any, any, any, "processed")).deliveries.empty());
  DeliveryFilter byGuid;
  byGuid.deliveryId = "a";
  EXPECT_THAT(sqlite::ids(list(byGuid)), ElementsAre(out[3].id, out[0].id));
}

TEST_P(DeliveryLogContract, SinceIsInclusiveUntilIsExclusive) {
  const auto out = append({delivery("github", "1", "t0", kT0), delivery("github", "1", "t1", kT0 + kSecond),
                           delivery("github", "1", "t2", kT0 + 2 * kSecond)});
  DeliveryFilter f;
  f.sinceMicros = kT0 + kSecond;
  f.untilMicros = kT0 + 2 * kSecond;
  EXPECT_THAT(sqlite::ids(list(f)), ElementsAre(out[1].id));
}

TEST_P(DeliveryLogContract, TheCursorPagesNewestFirstWithoutOverlapAndTheLastPageHasNone) {
  std::vector<NewDelivery> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(delivery("github", "1", "p" + std::to_string(i)));
  const auto out = append(batch);
  DeliveryFilter f;
  f.limit = 3;
  const auto first = list(f);
  EXPECT_THAT(sqlite::ids(first), ElementsAre(out[6].id, out[5].id, out[4].id));
  ASSERT_TRUE(first.nextCursor);
  f.beforeId = *first.nextCursor;
  const auto second = list(f);
  EXPECT_THAT(sqlite::ids(second), ElementsAre(out[3].id, out[2].id, out[1].id));
  ASSERT_TRUE(second.nextCursor);
  f.beforeId = *second.nextCursor;
  const auto last = list(f);
  EXPECT_THAT(sqlite::ids(last), ElementsAre(out[0].id));
  EXPECT_FALSE(last.nextCursor);
}

TEST_P(DeliveryLogContract, ALimitOutOfRangeIsInvalidArgument) {
  for (const int limit : {0, 501}) {
    DeliveryFilter f;
    f.limit = limit;
    auto page = log().listDeliveries(f);
    ASSERT_FALSE(page) << limit;
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument);
  }
}

TEST_P(DeliveryLogContract, StoredDeliveryIdsAreThoseOfTheForgeAndHookEachOnce) {
  std::vector<NewDelivery> batch;
  for (int i = 0; i < 1200; ++i) batch.push_back(delivery("github", "7", "g-" + std::to_string(i)));
  batch.push_back(delivery("github", "8", "other-hook"));
  batch.push_back(delivery("gitlab", "", "gl-1"));
  batch.push_back(delivery("github", "7", R"(quote"and\backslash)"));
  append(batch);
  std::vector<std::string> asked;
  for (int i = 1100; i < 1300; ++i) asked.push_back("g-" + std::to_string(i));  // 100 stored, 100 not
  asked.push_back("g-1150");                                                      // asked twice
  asked.push_back("other-hook");
  asked.push_back(R"(quote"and\backslash)");
  auto stored = log().storedDeliveryIds("github", "7", asked);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->size(), 101u);
  EXPECT_EQ(std::count(stored->begin(), stored->end(), "g-1150"), 1);
  EXPECT_EQ(std::count(stored->begin(), stored->end(), R"(quote"and\backslash)"), 1);
  EXPECT_EQ(std::count(stored->begin(), stored->end(), "other-hook"), 0);
  std::vector<std::string> gitlab{"gl-1", "gl-2"};
  EXPECT_THAT(*log().storedDeliveryIds("gitlab", "", gitlab), UnorderedElementsAre("gl-1"));
}

TEST_P(DeliveryLogContract, AnEmptyStoreIsWritable) { EXPECT_TRUE(log().checkWritable()); }

TEST_P(DeliveryLogContract, DeliveriesSurviveAReopen) {
  const auto out = append({delivery("github", "1", "kept")});
  store_->reopen();
  auto d = log().getDelivery(out[0].id);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->deliveryId, "kept");
  EXPECT_EQ(append({delivery("github", "1", "kept")})[0].status, AppendStatus::Duplicate);
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveryLogContract, testing::allBackends(),
                         [](const auto& info) { return info.param; });

// PostgreSQL only: several nodes append the same deliveries at the same moment (each with its own
// pool, as separate processes would): every delivery is stored once, and every node is told the
// same id for it.
TEST(PostgresDeliveryLog, NodesAppendingTheSameDeliveriesAtOnceStoreEachOnce) {
  testing::PostgresUnderTest store;
  const auto& url = store.url();
  constexpr int kNodes = 3, kBatches = 40, kPerBatch = 10;
  std::vector<std::vector<std::int64_t>> seen(kNodes);
  std::vector<std::jthread> nodes;
  for (int n = 0; n < kNodes; ++n)
    nodes.emplace_back([&, n] {
      postgres::PgPool pool({url, ""}, 1);
      postgres::PgDeliveryLog log(pool);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<NewDelivery> batch;
        for (int i = 0; i < kPerBatch; ++i) batch.push_back(delivery("github", "1", "d-" + std::to_string(b * kPerBatch + i)));
        auto out = log.appendBatch(batch);
        ASSERT_TRUE(out) << out.error().message;
        for (const auto& o : *out) seen[n].push_back(o.id);
      }
    });
  for (auto& t : nodes) t.join();  // jthreads: also joined should an assertion end the test early
  for (int n = 1; n < kNodes; ++n) EXPECT_EQ(seen[n], seen[0]) << "node " << n << " was told other ids";
  const auto total = std::to_string(kBatches * kPerBatch);
  EXPECT_EQ(store.rawTexts("SELECT count(*) || ' ' || min(attempts) || ' ' || max(attempts) || ' ' || (SELECT count(*) "
                           "FROM delivery_bodies) FROM deliveries"),
            std::vector<std::string>{total + " " + std::to_string(kNodes) + " " + std::to_string(kNodes) + " " + total});
}

TEST(PostgresDeliveryLog, APingRecordsItsHookAndCountsPings) {
  testing::PostgresUnderTest store;
  auto& log = store.log();
  auto ping = delivery("github", "99", "ping-1", kT0, "ping");
  ping.isPing = true;
  auto again = ping;
  again.deliveryId = "ping-2";
  again.receivedAt = kT0 + kSecond;
  ASSERT_TRUE(log.appendBatch(std::vector<NewDelivery>{ping, delivery("github", "98", "not-a-ping")}));
  ASSERT_TRUE(log.appendBatch(std::vector<NewDelivery>{again}));
  EXPECT_EQ(store.rawTexts("SELECT hook_id || ' ' || first_seen_at || ' ' || last_ping_at || ' ' || pings FROM hooks"),
            std::vector<std::string>{"99 " + std::to_string(kT0) + " " + std::to_string(kT0 + kSecond) + " 2"});
}

TEST(PostgresDeliveryLog, ABatchThatFailsCommitsNothingAndTheConnectionIsUsableAfter) {
  testing::PostgresUnderTest store;
  // The second delivery's body insert fails: its row must go with the first one's.
  store.rawExec("ALTER TABLE delivery_bodies ADD CONSTRAINT no_big_bodies CHECK (length(body) < 100)");
  postgres::PgPool pool({store.url(), ""}, 1);  // one connection: the one the failed batch used
  postgres::PgDeliveryLog log(pool);
  auto small = delivery("github", "1", "small");
  auto big = delivery("github", "1", "big");
  big.body = std::string(500, 'b');
  auto failed = log.appendBatch(std::vector<NewDelivery>{small, big});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, core::Code::Unavailable);
  EXPECT_EQ(failed.error().reason, "store_unavailable");
  auto page = log.listDeliveries({});
  ASSERT_TRUE(page) << page.error().message;  // the pool's one connection is usable: the batch rolled back
  EXPECT_TRUE(page->deliveries.empty());
  auto retried = log.appendBatch(std::vector<NewDelivery>{small});
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ((*retried)[0].status, AppendStatus::Inserted);
}

}  // namespace
}  // namespace forgehook::store

namespace forgehook::store {
namespace {

// A connection given back in the middle of a transaction (a caller's error path that forgot its
// ROLLBACK) is rolled back by the pool: the next user neither sees nor continues that work.
TEST(PgPool, AConnectionGivenBackInsideATransactionIsRolledBack) {
  testing::PostgresUnderTest store;
  postgres::PgPool pool({store.url(), ""}, 1);
  {
    auto lease = pool.lease();
    ASSERT_TRUE(lease);
    ASSERT_TRUE((*lease)->exec("BEGIN"));
    ASSERT_TRUE((*lease)->exec("INSERT INTO hooks (forge, hook_id, first_seen_at, last_ping_at) VALUES ('github', 'x', 1, 1)"));
  }
  auto next = pool.lease();  // the same (only) connection
  ASSERT_TRUE(next);
  EXPECT_FALSE((*next)->inTransaction());
  auto rows = (*next)->exec("SELECT count(*) FROM hooks");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->integer(0, 0), 0);
}

}  // namespace
}  // namespace forgehook::store
