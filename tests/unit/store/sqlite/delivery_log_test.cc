#include "store/sqlite/delivery_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <nlohmann/json.hpp>

#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST_F(SqliteTest, AppendInsertsAndReturnsIds) {
  auto store = open();
  const auto outcomes = append(*store, {delivery("github", "1", "d-1"), delivery("github", "1", "d-2", kT0 + 5)});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[1].status, AppendStatus::Inserted);
  EXPECT_GT(outcomes[0].id, 0);
  EXPECT_NE(outcomes[0].id, outcomes[1].id);

  const auto second = store->log.getDelivery(outcomes[1].id);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->deliveryId, "d-2");
  EXPECT_EQ(second->forge, "github");
  EXPECT_EQ(second->hookId, "1");
  EXPECT_EQ(second->event, "issues");
  EXPECT_EQ(second->action, "opened");
  EXPECT_EQ(second->repository, "Codertocat/Hello-World");
  EXPECT_EQ(second->sender, "Codertocat");
  EXPECT_EQ(second->contentType, "application/json");
  EXPECT_EQ(second->verification, "sha256");
  EXPECT_EQ(second->status, "queued");
  EXPECT_EQ(second->receivedAt, kT0 + 5);
  EXPECT_EQ(second->lastAttemptAt, kT0 + 5);
  EXPECT_EQ(second->attempts, 1);
  const NewDelivery sent = delivery("github", "1", "d-2", kT0 + 5);
  EXPECT_EQ(second->rawBody, sent.body);
  EXPECT_EQ(second->bodySize, sent.bodySize);
}

TEST_F(SqliteTest, RedeliveryIsDuplicateWithSameIdAndTwoAttempts) {
  auto store = open();
  const std::int64_t id = appendOne(*store, delivery("github", "1", "d-1", kT0));
  const auto again = append(*store, {delivery("github", "1", "d-1", kT0 + 60 * kSecond)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, AppendStatus::Duplicate);
  EXPECT_EQ(again[0].id, id);

  const auto d = store->log.getDelivery(id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->receivedAt, kT0);
  EXPECT_EQ(d->lastAttemptAt, kT0 + 60 * kSecond);
  const auto all = store->log.listDeliveries({});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->deliveries.size(), 1u);
}

TEST_F(SqliteTest, SameDeliveryIdUnderAnotherHookOrForgeIsNewRow) {
  auto store = open();
  const auto outcomes = append(*store, {delivery("github", "1", "d-1"), delivery("github", "2", "d-1"),
                                        delivery("gitea", "1", "d-1"), delivery("github", "", "d-1")});
  ASSERT_EQ(outcomes.size(), 4u);
  std::set<std::int64_t> distinct;
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.status, AppendStatus::Inserted);
    distinct.insert(o.id);
  }
  EXPECT_EQ(distinct.size(), 4u);
}

TEST_F(SqliteTest, DuplicatesInsideOneBatch) {
  auto store = open();
  const auto outcomes = append(*store, {delivery("github", "1", "d-1", kT0), delivery("github", "1", "d-2", kT0),
                                        delivery("github", "1", "d-1", kT0 + kSecond)});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[1].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[2].status, AppendStatus::Duplicate);
  EXPECT_EQ(outcomes[2].id, outcomes[0].id);
  const auto d = store->log.getDelivery(outcomes[0].id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->lastAttemptAt, kT0 + kSecond);
}

// appendDurable: the group committer acknowledges once the journal holds the batch, and indexes
// many groups at once later (indexPending).
std::vector<AppendOutcome> appendDurable(SqliteRoles& store, std::vector<NewDelivery> batch) {
  auto outcomes = store.log.appendDurable(batch);
  if (!outcomes) {
    ADD_FAILURE() << "appendDurable failed: " << outcomes.error().message;
    return {};
  }
  return *outcomes;
}

TEST_F(SqliteTest, AppendDurableNamesIdsThatIndexingThenGives) {
  auto store = open();
  const auto first = appendOne(*store, delivery("github", "1", "d-0"));
  const auto outcomes = appendDurable(*store, {delivery("github", "1", "d-1"), delivery("github", "1", "d-2")});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[1].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[0].id, first + 1);
  EXPECT_EQ(outcomes[1].id, first + 2);
  // Durable in the journal, not in the index yet: no row, no change record.
  EXPECT_EQ(rowCount(store->db, "deliveries"), 1);
  EXPECT_EQ(rowCount(store->db, "changes"), 1);

  ASSERT_TRUE(store->log.indexPending().has_value());
  EXPECT_EQ(rowCount(store->db, "deliveries"), 3);
  EXPECT_EQ(rowCount(store->db, "changes"), 3);
  for (int i = 0; i < 2; ++i) {
    const auto d = store->log.getDelivery(outcomes[i].id);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(d->deliveryId, "d-" + std::to_string(i + 1));
    EXPECT_EQ(d->rawBody, delivery("github", "1", d->deliveryId).body);
  }
  // The next one goes on from there.
  EXPECT_EQ(appendOne(*store, delivery("github", "1", "d-3")), first + 3);
}

TEST_F(SqliteTest, ADuplicateOfAnUnindexedDeliveryIsADuplicate) {
  auto store = open();
  const auto indexed = appendOne(*store, delivery("github", "1", "d-1", kT0));
  const auto first = appendDurable(*store, {delivery("github", "1", "d-2", kT0), delivery("github", "1", "d-1", kT0 + 1)});
  const auto again = appendDurable(*store, {delivery("github", "1", "d-2", kT0 + 2), delivery("github", "1", "d-3", kT0 + 3),
                                            delivery("github", "1", "d-3", kT0 + 4)});
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(first[0].status, AppendStatus::Inserted);
  EXPECT_EQ(first[1].status, AppendStatus::Duplicate);  // of an indexed one
  EXPECT_EQ(first[1].id, indexed);
  EXPECT_EQ(again[0].status, AppendStatus::Duplicate);  // of one not indexed yet
  EXPECT_EQ(again[0].id, first[0].id);
  EXPECT_EQ(again[1].status, AppendStatus::Inserted);
  EXPECT_EQ(again[2].status, AppendStatus::Duplicate);  // within the batch
  EXPECT_EQ(again[2].id, again[1].id);

  ASSERT_TRUE(store->log.indexPending().has_value());
  EXPECT_EQ(rowCount(store->db, "deliveries"), 3);
  for (const auto& [id, attempts, last] : {std::tuple{indexed, 2, kT0 + 1}, std::tuple{first[0].id, 2, kT0 + 2},
                                           std::tuple{again[1].id, 2, kT0 + 4}}) {
    const auto d = store->log.getDelivery(id);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->attempts, attempts) << d->deliveryId;
    EXPECT_EQ(d->lastAttemptAt, last) << d->deliveryId;
  }
}

TEST_F(SqliteTest, ReadsShowAcknowledgedDeliveriesNotIndexedYet) {
  auto store = open();
  const auto outcomes = appendDurable(*store, {delivery("github", "1", "d-1")});
  ASSERT_EQ(outcomes.size(), 1u);
  const auto page = store->log.listDeliveries({});
  ASSERT_TRUE(page.has_value());
  EXPECT_THAT(ids(*page), ElementsAre(outcomes[0].id));

  appendDurable(*store, {delivery("github", "1", "d-2")});
  const std::vector<std::string> asked{"d-2", "d-9"};
  const auto stored = store->log.storedDeliveryIds("github", "1", asked);
  ASSERT_TRUE(stored.has_value());
  EXPECT_THAT(*stored, ElementsAre("d-2"));

  const auto third = appendDurable(*store, {delivery("github", "1", "d-3")});
  ASSERT_EQ(third.size(), 1u);
  const auto d = store->log.getDelivery(third[0].id);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->deliveryId, "d-3");
}

TEST_F(SqliteTest, AfterACrashUnindexedDeliveriesComeBackWithTheIdsTheirAcknowledgementsNamed) {
  std::vector<AppendOutcome> acked;
  {
    auto store = open();
    appendOne(*store, delivery("github", "1", "d-0"));
    for (auto& o : appendDurable(*store, {delivery("github", "1", "d-1"), delivery("github", "1", "d-2")}))
      acked.push_back(o);
    for (auto& o : appendDurable(*store, {delivery("github", "1", "d-1", kT0 + 1), delivery("github", "1", "d-3")}))
      acked.push_back(o);
    EXPECT_EQ(rowCount(store->db, "deliveries"), 1);
    // Gone without indexPending(), as a kill -9 would leave it.
  }
  auto store = open();
  EXPECT_EQ(rowCount(store->db, "deliveries"), 4);
  ASSERT_EQ(acked.size(), 4u);
  const std::vector<std::pair<std::string, std::int64_t>> expected{{"d-1", 2}, {"d-2", 1}, {"d-1", 2}, {"d-3", 1}};
  for (std::size_t i = 0; i < acked.size(); ++i) {
    const auto d = store->log.getDelivery(acked[i].id);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(d->deliveryId, expected[i].first) << i;
    EXPECT_EQ(d->attempts, expected[i].second) << i;
  }
  EXPECT_EQ(appendOne(*store, delivery("github", "1", "d-4")), acked.back().id + 1);
}

// Makes every insert into deliveries fail while `fail_index` holds a row: a failing index commit,
// set up from another connection as a damaged disk or a full store would.
void breakIndexing(const std::string& path, bool broken) {
  DbHandle other = openDatabase(path, false, true);
  if (broken) {
    ASSERT_EQ(execute(other.get(),
                      "CREATE TABLE IF NOT EXISTS fail_index (x); INSERT INTO fail_index VALUES (1); "
                      "CREATE TRIGGER IF NOT EXISTS fail_index_insert BEFORE INSERT ON deliveries "
                      "WHEN EXISTS (SELECT 1 FROM fail_index) BEGIN SELECT RAISE(ABORT, 'index broken'); END;"),
              SQLITE_OK);
  } else {
    ASSERT_EQ(execute(other.get(), "DELETE FROM fail_index"), SQLITE_OK);
  }
}

TEST_F(SqliteTest, AFailedIndexLeavesTheRowsPendingAndALaterOneGivesTheAnsweredIds) {
  auto store = open();
  const auto first = appendOne(*store, delivery("github", "1", "d-0"));
  ASSERT_NO_FATAL_FAILURE(breakIndexing(dbPath(), true));
  const auto acked = appendDurable(*store, {delivery("github", "1", "d-1", kT0), delivery("github", "1", "d-2")});
  ASSERT_EQ(acked.size(), 2u);
  EXPECT_FALSE(store->log.indexPending().has_value());
  // appendBatch answers for what it stored even though indexing failed again.
  const auto batch = store->log.appendBatch(std::vector{delivery("github", "1", "d-3"),
                                                        delivery("github", "1", "d-1", kT0 + 5)});
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  EXPECT_EQ((*batch)[0].status, AppendStatus::Inserted);
  EXPECT_EQ((*batch)[0].id, first + 3);
  EXPECT_EQ((*batch)[1].status, AppendStatus::Duplicate);
  EXPECT_EQ((*batch)[1].id, acked[0].id);
  EXPECT_EQ(rowCount(store->db, "deliveries"), 1);

  ASSERT_NO_FATAL_FAILURE(breakIndexing(dbPath(), false));
  ASSERT_TRUE(store->log.indexPending().has_value());
  EXPECT_EQ(rowCount(store->db, "deliveries"), 4);
  const std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> expected{
      {acked[0].id, "d-1", 2}, {acked[1].id, "d-2", 1}, {(*batch)[0].id, "d-3", 1}};
  for (const auto& [id, deliveryId, attempts] : expected) {
    const auto d = store->log.getDelivery(id);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(d->deliveryId, deliveryId);
    EXPECT_EQ(d->attempts, attempts) << deliveryId;
  }
}

TEST_F(SqliteTest, IdentitiesThatOnlyASeparatorWouldTellApartAreNotDuplicates) {
  auto store = open();
  const auto acked = appendDurable(*store, {delivery("github", std::string("a\0b", 3), "c"),
                                            delivery("github", "a", std::string("b\0c", 3))});
  ASSERT_EQ(acked.size(), 2u);
  EXPECT_EQ(acked[0].status, AppendStatus::Inserted);
  EXPECT_EQ(acked[1].status, AppendStatus::Inserted);
  ASSERT_TRUE(store->log.indexPending().has_value());
  EXPECT_EQ(rowCount(store->db, "deliveries"), 2);
}

class DeliveryLogListTest : public SqliteTest {
 protected:
  void SetUp() override {
    store_ = open();
    // ids 1..5 in order of appending.
    append(*store_, {delivery("github", "1", "a", kT0, "issues", "Codertocat/Hello-World"),
                     delivery("github", "1", "b", kT0 + 10 * kSecond, "push", "Codertocat/Hello-World"),
                     delivery("gitlab", "", "c", kT0 + 20 * kSecond, "Push Hook", "group/project"),
                     delivery("github", "2", "d", kT0 + 30 * kSecond, "issues", "octo-org/octo-repo"),
                     delivery("gitea", "", "e", kT0 + 40 * kSecond, "push", "gitea/tea")});
  }

  std::vector<std::string> deliveryIds(const DeliveryFilter& filter) {
    const auto page = store_->log.listDeliveries(filter);
    if (!page) {
      ADD_FAILURE() << page.error().message;
      return {};
    }
    std::vector<std::string> out;
    for (const auto& d : page->deliveries) out.push_back(d.deliveryId);
    return out;
  }

  std::unique_ptr<SqliteRoles> store_;
};

TEST_F(DeliveryLogListTest, NoFilterListsAllNewestFirst) {
  EXPECT_THAT(deliveryIds({}), ElementsAre("e", "d", "c", "b", "a"));
}

TEST_F(DeliveryLogListTest, FiltersByForgeEventRepositoryAndStatus) {
  DeliveryFilter byForge;
  byForge.forge = "github";
  EXPECT_THAT(deliveryIds(byForge), ElementsAre("d", "b", "a"));

  DeliveryFilter byEvent;
  byEvent.event = "push";
  EXPECT_THAT(deliveryIds(byEvent), ElementsAre("e", "b"));

  DeliveryFilter byRepository;
  byRepository.repository = "Codertocat/Hello-World";
  EXPECT_THAT(deliveryIds(byRepository), ElementsAre("b", "a"));

  DeliveryFilter combined;
  combined.forge = "github";
  combined.event = "issues";
  combined.repository = "octo-org/octo-repo";
  EXPECT_THAT(deliveryIds(combined), ElementsAre("d"));

  DeliveryFilter queued;
  queued.status = "queued";
  EXPECT_THAT(deliveryIds(queued), ElementsAre("e", "d", "c", "b", "a"));
  DeliveryFilter done;
  done.status = "done";
  EXPECT_THAT(deliveryIds(done), ElementsAre());

  DeliveryFilter noMatch;
  noMatch.forge = "github";
  noMatch.event = "Push Hook";
  EXPECT_THAT(deliveryIds(noMatch), ElementsAre());
}

TEST_F(DeliveryLogListTest, SinceIsInclusiveUntilIsExclusive) {
  DeliveryFilter window;
  window.sinceMicros = kT0 + 10 * kSecond;
  window.untilMicros = kT0 + 30 * kSecond;
  EXPECT_THAT(deliveryIds(window), ElementsAre("c", "b"));

  DeliveryFilter since;
  since.sinceMicros = kT0 + 30 * kSecond;
  EXPECT_THAT(deliveryIds(since), ElementsAre("e", "d"));

  DeliveryFilter until;
  until.untilMicros = kT0 + 1;
  EXPECT_THAT(deliveryIds(until), ElementsAre("a"));
}

TEST_F(DeliveryLogListTest, CursorPagesWithoutOverlapNewestFirst) {
  DeliveryFilter filter;
  filter.limit = 2;
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> pageSizes;
  for (int page = 0; page < 10; ++page) {
    const auto result = store_->log.listDeliveries(filter);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    pageSizes.push_back(result->deliveries.size());
    for (const auto id : ids(*result)) seen.push_back(id);
    if (!result->nextCursor) break;
    EXPECT_EQ(*result->nextCursor, result->deliveries.back().id);
    filter.beforeId = result->nextCursor;
  }
  EXPECT_THAT(pageSizes, ElementsAre(2u, 2u, 1u));
  EXPECT_THAT(seen, ElementsAre(5, 4, 3, 2, 1));  // every row once, newest first
}

TEST_F(DeliveryLogListTest, CursorCombinesWithFilters) {
  DeliveryFilter filter;
  filter.forge = "github";
  filter.limit = 2;
  const auto first = store_->log.listDeliveries(filter);
  ASSERT_TRUE(first.has_value());
  EXPECT_THAT(ids(*first), ElementsAre(4, 2));
  ASSERT_TRUE(first->nextCursor.has_value());
  filter.beforeId = first->nextCursor;
  const auto second = store_->log.listDeliveries(filter);
  ASSERT_TRUE(second.has_value());
  EXPECT_THAT(ids(*second), ElementsAre(1));
  EXPECT_FALSE(second->nextCursor.has_value());
}

TEST_F(DeliveryLogListTest, LastFullPageHasNoCursor) {
  DeliveryFilter filter;
  filter.limit = 5;
  const auto page = store_->log.listDeliveries(filter);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries.size(), 5u);
  EXPECT_FALSE(page->nextCursor.has_value());
}

TEST_F(DeliveryLogListTest, LimitOutOfRangeIsInvalidArgument) {
  for (int limit : {0, -1, 501}) {
    DeliveryFilter filter;
    filter.limit = limit;
    const auto page = store_->log.listDeliveries(filter);
    ASSERT_FALSE(page.has_value()) << limit;
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument) << limit;
  }
  for (int limit : {1, 500}) {
    DeliveryFilter filter;
    filter.limit = limit;
    EXPECT_TRUE(store_->log.listDeliveries(filter).has_value()) << limit;
  }
}

TEST_F(SqliteTest, GetDeliveryDecodesZstdBodyAndKeepsHeaders) {
  auto store = open();
  std::string raw = R"({"action":"opened","issue":{"labels":[)";
  for (int i = 0; i < 200; ++i)
    raw += R"({"url":"https://api.github.com/repos/Codertocat/Hello-World/labels/bug","name":"bug"},)";
  raw += "{}]}}";
  const EncodedBody encoded = encodeBody(raw, 3);
  ASSERT_EQ(encoded.encoding, "zstd");
  ASSERT_LT(encoded.bytes.size(), raw.size());

  NewDelivery d = delivery("github", "1", "zstd-body");
  d.body = encoded.bytes;
  d.bodyEncoding = encoded.encoding;
  d.bodySize = static_cast<std::int64_t>(raw.size());
  d.headersJson = R"({"Content-Type":"application/json","X-Hub-Signature-256":"[redacted]"})";
  const std::int64_t id = appendOne(*store, d);

  const auto detail = store->log.getDelivery(id);
  ASSERT_TRUE(detail.has_value()) << detail.error().message;
  EXPECT_TRUE(detail->rawBody == raw);
  EXPECT_EQ(detail->bodySize, static_cast<std::int64_t>(raw.size()));
  EXPECT_EQ(detail->headersJson, d.headersJson);
}

TEST_F(SqliteTest, GetDeliveryKeepsBinaryIdentityBody) {
  auto store = open();
  NewDelivery d = delivery("gitea", "", "binary");
  d.body = std::string("a\0b\xff", 4);
  d.bodySize = 4;
  const std::int64_t id = appendOne(*store, d);
  const auto detail = store->log.getDelivery(id);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->rawBody, d.body);
}

TEST_F(SqliteTest, UnknownIdIsNotFound) {
  auto store = open();
  (void)appendOne(*store, delivery("github", "1", "d-1"));
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{999}, std::int64_t{-1}}) {
    const auto detail = store->log.getDelivery(id);
    ASSERT_FALSE(detail.has_value()) << id;
    EXPECT_EQ(detail.error().code, core::Code::NotFound) << id;
  }
}

TEST_F(SqliteTest, DataSurvivesClosingAndReopening) {
  std::int64_t id = 0;
  {
    auto store = open();
    id = appendOne(*store, delivery("github", "1", "persisted", kT0));
    ASSERT_TRUE(store->secrets.putSecrets({"github", "hook", "1", {"kept"}}).has_value());
  }
  auto store = open();
  const auto detail = store->log.getDelivery(id);
  ASSERT_TRUE(detail.has_value()) << detail.error().message;
  EXPECT_EQ(detail->deliveryId, "persisted");
  EXPECT_EQ(detail->rawBody, delivery("github", "1", "persisted").body);

  const auto secrets = store->secrets.loadSecrets();
  ASSERT_TRUE(secrets.has_value());
  ASSERT_EQ(secrets->size(), 1u);
  EXPECT_THAT((*secrets)[0].secrets, ElementsAre("kept"));

  // Dedupe still holds across the restart, and new rows get new ids.
  const auto again =
      append(*store, {delivery("github", "1", "persisted", kT0 + kSecond), delivery("github", "1", "new")});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].status, AppendStatus::Duplicate);
  EXPECT_EQ(again[0].id, id);
  EXPECT_EQ(again[1].status, AppendStatus::Inserted);
  EXPECT_GT(again[1].id, id);
}

struct HookRow {
  bool found = false;
  std::int64_t firstSeenAt = 0, lastPingAt = 0, pings = 0;
};

HookRow readHook(const std::string& path, const std::string& forge, const std::string& hookId) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  sqlite3_stmt* stmtRaw = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT first_seen_at, last_ping_at, pings FROM hooks WHERE forge = ?1 AND hook_id = ?2", -1,
                         &stmtRaw, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db.get()));
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(stmtRaw, &sqlite3_finalize);
  sqlite3_bind_text(stmt.get(), 1, forge.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt.get(), 2, hookId.c_str(), -1, SQLITE_TRANSIENT);
  HookRow row;
  if (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    row.found = true;
    row.firstSeenAt = sqlite3_column_int64(stmt.get(), 0);
    row.lastPingAt = sqlite3_column_int64(stmt.get(), 1);
    row.pings = sqlite3_column_int64(stmt.get(), 2);
  }
  return row;
}

TEST_F(SqliteTest, PingRecordsTheHook) {
  auto store = open();
  NewDelivery ping = delivery("github", "424242", "ping-1", kT0, "ping");
  ping.isPing = true;
  (void)appendOne(*store, ping);

  HookRow row = readHook(dbPath(), "github", "424242");
  ASSERT_TRUE(row.found);
  EXPECT_EQ(row.firstSeenAt, kT0);
  EXPECT_EQ(row.lastPingAt, kT0);
  EXPECT_EQ(row.pings, 1);

  NewDelivery later = delivery("github", "424242", "ping-2", kT0 + 60 * kSecond, "ping");
  later.isPing = true;
  (void)appendOne(*store, later);
  row = readHook(dbPath(), "github", "424242");
  ASSERT_TRUE(row.found);
  EXPECT_EQ(row.firstSeenAt, kT0);
  EXPECT_EQ(row.lastPingAt, kT0 + 60 * kSecond);
  EXPECT_EQ(row.pings, 2);
}

TEST_F(SqliteTest, OrdinaryDeliveryRecordsNoHook) {
  auto store = open();
  (void)appendOne(*store, delivery("github", "777", "d-1", kT0, "push"));
  NewDelivery pingWithoutHook = delivery("gitea", "", "ping-x", kT0, "ping");
  pingWithoutHook.isPing = true;
  (void)appendOne(*store, pingWithoutHook);
  EXPECT_FALSE(readHook(dbPath(), "github", "777").found);
  EXPECT_FALSE(readHook(dbPath(), "gitea", "").found);
}

TEST_F(DeliveryLogListTest, FiltersByTheForgesDeliveryIdInAnyHook) {
  append(*store_, {delivery("github", "9", "d", kT0 + 50 * kSecond), delivery("github", "events-api", "dd")});
  DeliveryFilter byGuid;
  byGuid.deliveryId = "d";
  const auto page = store_->log.listDeliveries(byGuid);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->deliveries.size(), 2u);  // hooks 9 and 2: the same GUID under two hooks
  EXPECT_EQ(page->deliveries[0].hookId, "9");
  EXPECT_EQ(page->deliveries[1].hookId, "2");
  byGuid.forge = "gitea";
  EXPECT_THAT(deliveryIds(byGuid), ElementsAre());
  DeliveryFilter unknown;
  unknown.deliveryId = "no-such-guid";
  EXPECT_THAT(deliveryIds(unknown), ElementsAre());
}

TEST_F(SqliteTest, SourceIsStoredAndReadBackWebhookByDefault) {
  auto store = open();
  NewDelivery polled = delivery("github", "events-api", "event-123");
  polled.source = "poll";
  const auto outcomes = append(*store, {delivery("github", "1", "d-1"), polled});
  const auto pushed = store->log.getDelivery(outcomes[0].id);
  const auto fetched = store->log.getDelivery(outcomes[1].id);
  ASSERT_TRUE(pushed.has_value() && fetched.has_value());
  EXPECT_EQ(pushed->source, "webhook");
  EXPECT_EQ(fetched->source, "poll");
  const auto page = store->log.listDeliveries({});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries[0].source, "poll");
  EXPECT_EQ(page->deliveries[1].source, "webhook");
}

TEST_F(SqliteTest, StoredDeliveryIdsAreThoseOfTheForgeAndHookAcrossManyQueries) {
  auto store = open();
  std::vector<NewDelivery> batch;
  for (int i = 0; i < 1200; i += 3) batch.push_back(delivery("github", "1", "g-" + std::to_string(i)));
  batch.push_back(delivery("github", "2", "g-1"));  // another hook
  batch.push_back(delivery("gitea", "1", "g-2"));   // another forge
  append(*store, batch);

  std::vector<std::string> asked;
  for (int i = 0; i < 1200; ++i) asked.push_back("g-" + std::to_string(i));
  asked.push_back("g-0");  // asked twice, reported once
  auto stored = store->log.storedDeliveryIds("github", "1", asked);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  std::sort(stored->begin(), stored->end());
  std::vector<std::string> expected;
  for (int i = 0; i < 1200; i += 3) expected.push_back("g-" + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*stored, expected);

  const std::vector<std::string> none;
  EXPECT_TRUE(store->log.storedDeliveryIds("github", "1", none)->empty());
  EXPECT_TRUE(store->log.storedDeliveryIds("github", "3", asked)->empty());
}

}  // namespace
}  // namespace forgehook::store::sqlite

namespace forgehook::store::sqlite {
namespace {

// Intake builds a new delivery's "created" record from the values it has; it must say what the
// record read back from the row (ChangeRecorder::recordDelivery, the SQL path) says.
TEST_F(SqliteTest, ACreatedDeliveryRecordMatchesTheRowItDescribes) {
  auto store = open();
  auto d = delivery("gitlab", "", "d-\"quoted\"\\", kT0 + 123'456);  // no hook id: null
  d.action = "";                                                       // null too
  d.sender = "renée \x01 <x>";                                         // escapes and UTF-8
  d.source = "poll";
  const auto id = appendOne(*store, d);
  ASSERT_TRUE(store->db.write([&](sqlite3*) -> core::Result<void> {
    if (store->changes.recordDelivery(id, "created", kT0 + 123'456) != SQLITE_DONE)
      return std::unexpected(core::Error::internal("recordDelivery failed"));
    return {};
  }));
  ChangeQuery q;
  q.after = 0;
  const auto page = store->feed.read(q);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->changes.size(), 2u);
  const auto& built = page->changes[0];
  const auto& read = page->changes[1];
  EXPECT_EQ(nlohmann::json::parse(built.dataJson), nlohmann::json::parse(read.dataJson));
  EXPECT_EQ(built.id, read.id);
  EXPECT_EQ(built.forge, read.forge);
  EXPECT_EQ(built.repository, read.repository);
  EXPECT_EQ(built.atMicros, read.atMicros);
  EXPECT_EQ(built.resource, "deliveries");
  EXPECT_EQ(built.action, "created");
}

}  // namespace
}  // namespace forgehook::store::sqlite
