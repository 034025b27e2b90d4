#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST_F(SqliteTest, IntakeCommitsWaitForFsyncAndOnlyProcessingCommitsDoNot) {
  auto store = open();
  EXPECT_EQ(store->db.synchronousLevel(), 2);  // FULL from the first commit on
  const auto id = appendOne(*store, delivery("github", "1", "d-1"));
  EXPECT_EQ(store->db.synchronousLevel(), 2);
  ProcessedDelivery processed;
  processed.id = id;
  processed.activity.forge = "github";
  processed.activity.kind = "issues";
  processed.activity.summary = "ok";
  const auto finished = store->queue.finishProcessing(std::span<const ProcessedDelivery>(&processed, 1), {}, kT0);
  ASSERT_TRUE(finished.has_value());
  ASSERT_EQ(finished->deadLettered, 0);
  EXPECT_EQ(store->db.synchronousLevel(), 1);  // the processing commit ran at NORMAL
  appendOne(*store, delivery("github", "1", "d-2"));
  EXPECT_EQ(store->db.synchronousLevel(), 2);  // and the next intake commit at FULL again

  Database normal(SqliteOptions{(dir_.path() / "normal.db").string(), false, 0});
  EXPECT_EQ(normal.synchronousLevel(), 1);  // store.synchronous = normal
}

TEST_F(SqliteTest, FullStoreIsUnavailableAndKeepsCommittedRows) {
  // The empty schema (delivery log, projections and their indexes) takes ~80 pages of 4 KiB; the
  // cap leaves room above it.
  auto store = open(600'000);
  ASSERT_TRUE(store->log.checkWritable().has_value());

  std::vector<std::pair<std::int64_t, std::string>> committed;
  std::optional<core::Error> failure;
  for (int i = 0; i < 100 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "big-" + std::to_string(i));
    d.body = randomBytes(20'000, i);
    d.bodySize = static_cast<std::int64_t>(d.body.size());
    ASSERT_EQ(encodeBody(d.body, 1).encoding, "identity");  // incompressible: the cap is reached by real bytes
    auto outcome = store->log.appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      committed.emplace_back((*outcome)[0].id, d.body);
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "600 kB cap never reached after 100 bodies of 20 kB";
  EXPECT_EQ(failure->code, core::Code::Unavailable);
  EXPECT_EQ(failure->reason, "store_full");
  ASSERT_FALSE(committed.empty());
  EXPECT_LE(committed.size() * 20'000, 600'000u);  // the cap held: no more than it allows was committed

  for (const auto& [id, body] : committed) {
    const auto detail = store->log.getDelivery(id);
    ASSERT_TRUE(detail.has_value()) << id << ": " << detail.error().message;
    EXPECT_TRUE(detail->rawBody == body) << id;
  }
  DeliveryFilter all;
  all.limit = 500;
  const auto page = store->log.listDeliveries(all);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->deliveries.size(), committed.size());  // the failed batch left nothing behind

  const auto writable = store->log.checkWritable();
  ASSERT_FALSE(writable.has_value());
  EXPECT_EQ(writable.error().code, core::Code::Unavailable);
  EXPECT_EQ(writable.error().reason, "store_full");
}

TEST_F(SqliteTest, NotReadyAfterABodyTooLargeForTheRoomLeft) {
  // 2 MB cap and 600 kB bodies: two fit beside the schema, the third fails with hundreds of kB still
  // free, far above the 1% threshold, so only the memory of the failed commit can say "not ready".
  auto store = open(2'000'000);
  std::optional<core::Error> failure;
  int fitted = 0;
  for (int i = 0; i < 10 && !failure; ++i) {
    NewDelivery d = delivery("github", "1", "fill-" + std::to_string(i));
    d.body = randomBytes(600'000, i);
    auto outcome = store->log.appendBatch(std::span<const NewDelivery>(&d, 1));
    if (outcome)
      ++fitted;
    else
      failure = outcome.error();
  }
  ASSERT_TRUE(failure.has_value()) << "the 2 MB cap was never reached";
  EXPECT_EQ(fitted, 2) << "expected the cap to stop the third 600 kB body";
  EXPECT_EQ(failure->reason, "store_full");
  EXPECT_FALSE(store->log.checkWritable().has_value()) << "ready although the last commit failed for lack of space";
}

TEST(StoreErrorTest, NoRoomIsStoreFullWithALongRetryAfterAndOtherFailuresAreUnavailable) {
  for (const auto& full : {storeError(SQLITE_FULL), storeError(SQLITE_IOERR_WRITE, ENOSPC),
                           storeError(SQLITE_IOERR_FSYNC, EDQUOT)}) {
    EXPECT_EQ(full.code, core::Code::Unavailable);
    EXPECT_EQ(full.reason, "store_full");
    EXPECT_EQ(full.retryAfterSeconds, 30);
  }
  const auto io = storeError(SQLITE_IOERR_WRITE, EIO);
  EXPECT_EQ(io.code, core::Code::Unavailable);
  EXPECT_EQ(io.reason, "store_unavailable");
  EXPECT_EQ(io.retryAfterSeconds, 1);
  EXPECT_EQ(storeError(SQLITE_BUSY).reason, "store_unavailable");
}

// Reads one row of `hooks` with a connection of its own, as an operator would.

}  // namespace
}  // namespace forgehook::store::sqlite
