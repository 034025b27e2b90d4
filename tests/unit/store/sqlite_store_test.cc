#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "store/body_codec.h"
#include "support/temp_dir.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

constexpr std::int64_t kT0 = 1'795'428'000'000'000;  // 2026-11-23T10:00:00Z
constexpr std::int64_t kSecond = 1'000'000;

using testing::TempDir;

NewDelivery delivery(std::string forge, std::string hookId, std::string deliveryId, std::int64_t receivedAt = kT0,
                     std::string event = "issues", std::string repository = "Codertocat/Hello-World") {
  NewDelivery d;
  d.forge = std::move(forge);
  d.hookId = std::move(hookId);
  d.deliveryId = std::move(deliveryId);
  d.event = std::move(event);
  d.action = "opened";
  d.repository = std::move(repository);
  d.sender = "Codertocat";
  d.contentType = "application/json";
  d.verification = "sha256";
  d.headersJson = R"({"X-GitHub-Event":"issues"})";
  d.receivedAt = receivedAt;
  const std::string raw = R"({"action":"opened","delivery":")" + d.deliveryId + "\"}";
  d.bodySize = static_cast<std::int64_t>(raw.size());
  d.body = raw;
  d.bodyEncoding = "identity";
  return d;
}

std::string randomBytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::vector<std::int64_t> ids(const DeliveryPage& page) {
  std::vector<std::int64_t> out;
  for (const auto& d : page.deliveries) out.push_back(d.id);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string dbPath() const { return (dir_.path() / "forgehook.db").string(); }

  std::unique_ptr<SqliteStore> open(std::int64_t maxBytes = 0) {
    return std::make_unique<SqliteStore>(SqliteOptions{dbPath(), true, maxBytes});
  }

  std::vector<AppendOutcome> append(SqliteStore& store, std::vector<NewDelivery> batch) {
    auto outcomes = store.appendBatch(batch);
    if (!outcomes) {
      ADD_FAILURE() << "appendBatch failed: " << outcomes.error().message;
      return {};
    }
    EXPECT_EQ(outcomes->size(), batch.size());
    return *outcomes;
  }

  std::int64_t appendOne(SqliteStore& store, NewDelivery d) {
    const auto outcomes = append(store, {std::move(d)});
    return outcomes.empty() ? -1 : outcomes[0].id;
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, IntakeCommitsWaitForFsyncAndOnlyProcessingCommitsDoNot) {
  auto store = open();
  EXPECT_EQ(store->synchronousLevel(), 2);  // FULL from the first commit on
  const auto id = appendOne(*store, delivery("github", "1", "d-1"));
  EXPECT_EQ(store->synchronousLevel(), 2);
  ProcessedDelivery processed;
  processed.id = id;
  processed.activity.forge = "github";
  processed.activity.kind = "issues";
  processed.activity.summary = "ok";
  ASSERT_EQ(store->finishProcessing(std::span<const ProcessedDelivery>(&processed, 1), {}, kT0), 0);
  EXPECT_EQ(store->synchronousLevel(), 1);  // the processing commit ran at NORMAL
  appendOne(*store, delivery("github", "1", "d-2"));
  EXPECT_EQ(store->synchronousLevel(), 2);  // and the next intake commit at FULL again

  SqliteStore normal(SqliteOptions{(dir_.path() / "normal.db").string(), false, 0});
  EXPECT_EQ(normal.synchronousLevel(), 1);  // store.synchronous = normal
}

TEST_F(SqliteStoreTest, AppendInsertsAndReturnsIds) {
  auto store = open();
  const auto outcomes = append(*store, {delivery("github", "1", "d-1"), delivery("github", "1", "d-2", kT0 + 5)});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[1].status, AppendStatus::Inserted);
  EXPECT_GT(outcomes[0].id, 0);
  EXPECT_NE(outcomes[0].id, outcomes[1].id);

  const auto second = store->getDelivery(outcomes[1].id);
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

TEST_F(SqliteStoreTest, RedeliveryIsDuplicateWithSameIdAndTwoAttempts) {
  auto store = open();
  const std::int64_t id = appendOne(*store, delivery("github", "1", "d-1", kT0));
  const auto again = append(*store, {delivery("github", "1", "d-1", kT0 + 60 * kSecond)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, AppendStatus::Duplicate);
  EXPECT_EQ(again[0].id, id);

  const auto d = store->getDelivery(id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->receivedAt, kT0);
  EXPECT_EQ(d->lastAttemptAt, kT0 + 60 * kSecond);
  const auto all = store->listDeliveries({});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->deliveries.size(), 1u);
}

TEST_F(SqliteStoreTest, SameDeliveryIdUnderAnotherHookOrForgeIsNewRow) {
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

TEST_F(SqliteStoreTest, DuplicatesInsideOneBatch) {
  auto store = open();
  const auto outcomes = append(*store, {delivery("github", "1", "d-1", kT0), delivery("github", "1", "d-2", kT0),
                                        delivery("github", "1", "d-1", kT0 + kSecond)});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[1].status, AppendStatus::Inserted);
  EXPECT_EQ(outcomes[2].status, AppendStatus::Duplicate);
  EXPECT_EQ(outcomes[2].id, outcomes[0].id);
  const auto d = store->getDelivery(outcomes[0].id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->lastAttemptAt, kT0 + kSecond);
}

class SqliteStoreListTest : public SqliteStoreTest {
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
    const auto page = store_->listDeliveries(filter);
    if (!page) {
      ADD_FAILURE() << page.error().message;
      return {};
    }
    std::vector<std::string> out;
    for (const auto& d : page->deliveries) out.push_back(d.deliveryId);
    return out;
  }

  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreListTest, NoFilterListsAllNewestFirst) {
  EXPECT_THAT(deliveryIds({}), ElementsAre("e", "d", "c", "b", "a"));
}

TEST_F(SqliteStoreListTest, FiltersByForgeEventRepositoryAndStatus) {
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

TEST_F(SqliteStoreListTest, SinceIsInclusiveUntilIsExclusive) {
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

TEST_F(SqliteStoreListTest, CursorPagesWithoutOverlapNewestFirst) {
  DeliveryFilter filter;
  filter.limit = 2;
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> pageSizes;
  for (int page = 0; page < 10; ++page) {
    const auto result = store_->listDeliveries(filter);
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

TEST_F(SqliteStoreListTest, CursorCombinesWithFilters) {
  DeliveryFilter filter;
  filter.forge = "github";
  filter.limit = 2;
  const auto first = store_->listDeliveries(filter);
  ASSERT_TRUE(first.has_value());
  EXPECT_THAT(ids(*first), ElementsAre(4, 2));
  ASSERT_TRUE(first->nextCursor.has_value());
  filter.beforeId = first->nextCursor;
  const auto second = store_->listDeliveries(filter);
  ASSERT_TRUE(second.has_value());
  EXPECT_THAT(ids(*second), ElementsAre(1));
  EXPECT_FALSE(second->nextCursor.has_value());
}

TEST_F(SqliteStoreListTest, LastFullPageHasNoCursor) {
  DeliveryFilter filter;
  filter.limit = 5;
  const auto page = store_->listDeliveries(filter);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries.size(), 5u);
  EXPECT_FALSE(page->nextCursor.has_value());
}

TEST_F(SqliteStoreListTest, LimitOutOfRangeIsInvalidArgument) {
  for (int limit : {0, -1, 501}) {
    DeliveryFilter filter;
    filter.limit = limit;
    const auto page = store_->listDeliveries(filter);
    ASSERT_FALSE(page.has_value()) << limit;
    EXPECT_EQ(page.error().code, core::Code::InvalidArgument) << limit;
  }
  for (int limit : {1, 500}) {
    DeliveryFilter filter;
    filter.limit = limit;
    EXPECT_TRUE(store_->listDeliveries(filter).has_value()) << limit;
  }
}

TEST_F(SqliteStoreTest, GetDeliveryDecodesZstdBodyAndKeepsHeaders) {
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

  const auto detail = store->getDelivery(id);
  ASSERT_TRUE(detail.has_value()) << detail.error().message;
  EXPECT_TRUE(detail->rawBody == raw);
  EXPECT_EQ(detail->bodySize, static_cast<std::int64_t>(raw.size()));
  EXPECT_EQ(detail->headersJson, d.headersJson);
}

TEST_F(SqliteStoreTest, GetDeliveryKeepsBinaryIdentityBody) {
  auto store = open();
  NewDelivery d = delivery("gitea", "", "binary");
  d.body = std::string("a\0b\xff", 4);
  d.bodySize = 4;
  const std::int64_t id = appendOne(*store, d);
  const auto detail = store->getDelivery(id);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->rawBody, d.body);
}

TEST_F(SqliteStoreTest, UnknownIdIsNotFound) {
  auto store = open();
  (void)appendOne(*store, delivery("github", "1", "d-1"));
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{999}, std::int64_t{-1}}) {
    const auto detail = store->getDelivery(id);
    ASSERT_FALSE(detail.has_value()) << id;
    EXPECT_EQ(detail.error().code, core::Code::NotFound) << id;
  }
}

TEST_F(SqliteStoreTest, DataSurvivesClosingAndReopening) {
  std::int64_t id = 0;
  {
    auto store = open();
    id = appendOne(*store, delivery("github", "1", "persisted", kT0));
    ASSERT_TRUE(store->putSecrets({"github", "hook", "1", {"kept"}}).has_value());
  }
  auto store = open();
  const auto detail = store->getDelivery(id);
  ASSERT_TRUE(detail.has_value()) << detail.error().message;
  EXPECT_EQ(detail->deliveryId, "persisted");
  EXPECT_EQ(detail->rawBody, delivery("github", "1", "persisted").body);

  const auto secrets = store->loadSecrets();
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

TEST_F(SqliteStoreTest, PutLoadAndDeleteSecrets) {
  auto store = open();
  ASSERT_TRUE(store->putSecrets({"github", "hook", "123", {"current", "previous"}}).has_value());
  ASSERT_TRUE(store->putSecrets({"github", "repository", "Codertocat/Hello-World", {"repo-secret"}}).has_value());

  auto loaded = store->loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].scope, "hook");
  EXPECT_EQ((*loaded)[0].key, "123");
  EXPECT_THAT((*loaded)[0].secrets, ElementsAre("current", "previous"));
  EXPECT_EQ((*loaded)[1].forge, "github");
  EXPECT_EQ((*loaded)[1].scope, "repository");
  EXPECT_EQ((*loaded)[1].key, "Codertocat/Hello-World");
  EXPECT_THAT((*loaded)[1].secrets, ElementsAre("repo-secret"));

  // Putting again replaces the list.
  ASSERT_TRUE(store->putSecrets({"github", "hook", "123", {"rotated"}}).has_value());
  loaded = store->loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_THAT((*loaded)[0].secrets, ElementsAre("rotated"));

  ASSERT_TRUE(store->deleteSecrets("github", "hook", "123").has_value());
  loaded = store->loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].scope, "repository");
}

TEST_F(SqliteStoreTest, DeletingMissingSecretsIsNotFound) {
  auto store = open();
  ASSERT_TRUE(store->putSecrets({"github", "hook", "123", {"s"}}).has_value());
  for (const auto& [forge, scope, key] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"github", "hook", "999"}, {"gitlab", "hook", "123"}, {"github", "repository", "123"}}) {
    const auto result = store->deleteSecrets(forge, scope, key);
    ASSERT_FALSE(result.has_value()) << forge << " " << scope << " " << key;
    EXPECT_EQ(result.error().code, core::Code::NotFound);
  }
  ASSERT_TRUE(store->deleteSecrets("github", "hook", "123").has_value());
  const auto twice = store->deleteSecrets("github", "hook", "123");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, core::Code::NotFound);
}

TEST_F(SqliteStoreTest, FullStoreIsUnavailableAndKeepsCommittedRows) {
  // The empty schema (delivery log and projections) takes ~45 pages of 4 KiB; the cap leaves room above it.
  auto store = open(400'000);
  ASSERT_TRUE(store->checkWritable().has_value());

  std::vector<std::pair<std::int64_t, std::string>> committed;
  std::optional<core::Error> failure;
  for (int i = 0; i < 100 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "big-" + std::to_string(i));
    d.body = randomBytes(20'000, i);
    d.bodySize = static_cast<std::int64_t>(d.body.size());
    ASSERT_EQ(encodeBody(d.body, 1).encoding, "identity");  // incompressible: the cap is reached by real bytes
    auto outcome = store->appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      committed.emplace_back((*outcome)[0].id, d.body);
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "400 kB cap never reached after 100 bodies of 20 kB";
  EXPECT_EQ(failure->code, core::Code::Unavailable);
  EXPECT_EQ(failure->reason, "store_unavailable");
  ASSERT_FALSE(committed.empty());
  EXPECT_LE(committed.size() * 20'000, 400'000u);  // the cap held: no more than it allows was committed

  for (const auto& [id, body] : committed) {
    const auto detail = store->getDelivery(id);
    ASSERT_TRUE(detail.has_value()) << id << ": " << detail.error().message;
    EXPECT_TRUE(detail->rawBody == body) << id;
  }
  DeliveryFilter all;
  all.limit = 500;
  const auto page = store->listDeliveries(all);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries.size(), committed.size());  // the failed batch left nothing behind

  const auto writable = store->checkWritable();
  ASSERT_FALSE(writable.has_value());
  EXPECT_EQ(writable.error().code, core::Code::Unavailable);
  EXPECT_EQ(writable.error().reason, "store_unavailable");
}

TEST_F(SqliteStoreTest, NotReadyAfterABodyTooLargeForTheRoomLeft) {
  // 2 MB cap and 600 kB bodies: two fit beside the schema, the third fails with hundreds of kB still
  // free, far above the 1% threshold, so only the memory of the failed commit can say "not ready".
  auto store = open(2'000'000);
  std::optional<core::Error> failure;
  int fitted = 0;
  for (int i = 0; i < 10 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "fill-" + std::to_string(i));
    d.body = randomBytes(600'000, i);
    auto outcome = store->appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      ++fitted;
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "the 2 MB cap was never reached";
  EXPECT_EQ(fitted, 2) << "expected the cap to stop the third 600 kB body";
  EXPECT_EQ(failure->reason, "store_unavailable");
  EXPECT_FALSE(store->checkWritable().has_value()) << "ready although the last commit failed for lack of space";
}

// Reads one row of `hooks` with a connection of its own, as an operator would.
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

TEST_F(SqliteStoreTest, PingRecordsTheHook) {
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

TEST_F(SqliteStoreTest, OrdinaryDeliveryRecordsNoHook) {
  auto store = open();
  (void)appendOne(*store, delivery("github", "777", "d-1", kT0, "push"));
  NewDelivery pingWithoutHook = delivery("gitea", "", "ping-x", kT0, "ping");
  pingWithoutHook.isPing = true;
  (void)appendOne(*store, pingWithoutHook);
  EXPECT_FALSE(readHook(dbPath(), "github", "777").found);
  EXPECT_FALSE(readHook(dbPath(), "gitea", "").found);
}

}  // namespace
}  // namespace forgehook::store::sqlite
