// Retention of delivery bodies: what is pruned (settled, old, not yet pruned), what stays (the row,
// headers, projections, activity), and how replay and rebuild treat a pruned delivery.
#include "store/sqlite/body_retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite/processing_queue.h"
#include "support/model_rows.h"

namespace forgehook::store::sqlite {
namespace {

constexpr std::int64_t kDay = 86'400 * kSecond;

class BodyRetentionTest : public SqliteModelTest {
 protected:
  // A processed delivery received at `at`, with an activity line.
  std::int64_t processedAt(std::int64_t at) {
    ActivityEntry activity;
    activity.at = at / kSecond;
    activity.forge = "github";
    activity.kind = "issues";
    return commit({}, activity, {}, at);
  }
  PrunedBodies prune(
      std::int64_t cutoff, int batchRows = 500, const std::function<bool()>& between = [] { return true; }) {
    auto pruned = retention_->pruneBodies(cutoff, kNow, batchRows, between);
    EXPECT_TRUE(pruned.has_value()) << pruned.error().message;
    return pruned.value_or(PrunedBodies{-1, -1});
  }
  void SetUp() override {
    SqliteModelTest::SetUp();
    retention_ = std::make_unique<SqliteBodyRetention>(store_->db);
  }
  std::int64_t segmentOf(std::int64_t id) {
    std::int64_t segment = -1;
    EXPECT_TRUE(store_->db.read<void>([&](sqlite3* c) -> core::Result<void> {
      Statement s(c, "SELECT body_segment FROM deliveries WHERE id = ?1");
      s.bind(1, id);
      if (s.step() == SQLITE_ROW && !s.isNull(0)) segment = s.integer(0);
      return {};
    }));
    return segment;
  }
  std::vector<std::string> segmentFiles() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "bodies"))
      if (entry.path().extension() == ".seg") names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static constexpr std::int64_t kNow = kT0 + 40 * kDay;
  std::unique_ptr<SqliteBodyRetention> retention_;
};

TEST_F(BodyRetentionTest, PrunesOnlySettledBodiesReceivedBeforeTheCutoff) {
  const auto old = processedAt(kT0);
  const auto recent = processedAt(kT0 + 30 * kDay);
  const auto stillQueued = appendOne(*store_, delivery("github", "h", "queued", kT0));
  const auto oldBody = store_->log.getDelivery(old)->rawBody;
  const auto cutoff = kT0 + 10 * kDay;

  const auto measured = retention_->measurePrunable(cutoff);
  ASSERT_TRUE(measured.has_value()) << measured.error().message;
  EXPECT_EQ(measured->deliveries, 1);
  // Stored identity, in the body journal: the record counts whole (the body, headers and fields).
  EXPECT_GE(measured->bytes, static_cast<std::int64_t>(oldBody.size()));
  EXPECT_LE(measured->bytes, static_cast<std::int64_t>(oldBody.size()) + 300);
  // A dry run changes nothing.
  EXPECT_FALSE(store_->log.getDelivery(old)->bodyPrunedAt.has_value());

  const auto pruned = prune(cutoff);
  EXPECT_EQ(pruned.deliveries, 1);
  EXPECT_EQ(pruned.bytes, measured->bytes);

  const auto gone = store_->log.getDelivery(old);
  ASSERT_TRUE(gone.has_value()) << gone.error().message;
  EXPECT_EQ(gone->bodyPrunedAt, kNow);
  EXPECT_TRUE(gone->rawBody.empty());
  EXPECT_EQ(gone->headersJson, R"({"X-GitHub-Event":"issues"})");  // headers and summary stay
  EXPECT_EQ(gone->status, "processed");
  EXPECT_EQ(gone->bodySize, static_cast<std::int64_t>(oldBody.size()));
  for (const auto kept : {recent, stillQueued}) {
    const auto d = store_->log.getDelivery(kept);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->bodyPrunedAt.has_value()) << kept;
    EXPECT_FALSE(d->rawBody.empty()) << kept;
  }
  // The list says which bodies are gone.
  const auto page = store_->log.listDeliveries({});
  ASSERT_TRUE(page.has_value());
  for (const auto& d : page->deliveries) EXPECT_EQ(d.bodyPrunedAt.has_value(), d.id == old) << d.id;
  // Nothing is left to prune at that age, and the activity line stays.
  EXPECT_EQ(retention_->measurePrunable(cutoff)->deliveries, 0);
  EXPECT_EQ(prune(cutoff).deliveries, 0);
  EXPECT_EQ(count(Resource::Activity), 2u);
}

TEST_F(BodyRetentionTest, AJournalSegmentIsDeletedOnceNoRowKeepsABodyInIt) {
  // Segments of ~1 KB: a few records each.
  store_.reset();
  store_ = std::make_unique<SqliteRoles>(SqliteOptions{.path = dbPath(), .journalSegmentBytes = 1024});
  retention_ = std::make_unique<SqliteBodyRetention>(store_->db);
  std::vector<std::int64_t> old;
  for (int i = 0; i < 12; ++i) old.push_back(processedAt(kT0 + i * kSecond));
  const auto queuedOld = appendOne(*store_, delivery("github", "h", "queued", kT0));
  const auto recent = processedAt(kT0 + 30 * kDay);
  const auto bodies = dir_.path() / "bodies";
  auto segments = [&] {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(bodies))
      if (entry.path().extension() == ".seg") names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto before = segments();
  ASSERT_GE(before.size(), 4u);

  EXPECT_EQ(prune(kT0 + kDay).deliveries, 12);
  const auto after = segments();
  // Left: the segment of the queued delivery (appended after the twelve), and the newest.
  EXPECT_LT(after.size(), before.size());
  EXPECT_EQ(after.front(), before[before.size() - after.size()]);
  for (const auto id : old) {
    const auto d = store_->log.getDelivery(id);
    ASSERT_TRUE(d.has_value()) << id << ": " << d.error().message;
    EXPECT_TRUE(d->bodyPrunedAt.has_value());
    EXPECT_EQ(d->headersJson, R"({"X-GitHub-Event":"issues"})");  // the headers outlive the segment
  }
  for (const auto kept : {queuedOld, recent}) {
    const auto d = store_->log.getDelivery(kept);
    ASSERT_TRUE(d.has_value()) << kept << ": " << d.error().message;
    EXPECT_FALSE(d->rawBody.empty());
  }
}

TEST_F(BodyRetentionTest, ASegmentHoldingDeliveriesNotIndexedYetStays) {
  // Segments of ~1 KB: a few records each.
  store_.reset();
  store_ = std::make_unique<SqliteRoles>(SqliteOptions{.path = dbPath(), .journalSegmentBytes = 1024});
  retention_ = std::make_unique<SqliteBodyRetention>(store_->db);
  const auto old = processedAt(kT0);  // indexed, prunable: its segment's only counted body
  const auto oldSegment = segmentOf(old);
  // Answered, not indexed yet (intake indexes many groups at once): the first shares old's
  // segment, the rest fill it and the next ones, so that the journal moves on past it.
  std::vector<NewDelivery> pending;
  for (int i = 0; i < 12; ++i) pending.push_back(delivery("github", "h", "pending-" + std::to_string(i), kNow));
  std::vector<AppendOutcome> acked;
  for (const auto& d : pending) {
    auto given = d;  // appendDurable takes what it is given
    auto one = store_->log.appendDurable(std::span(&given, 1));
    ASSERT_TRUE(one.has_value()) << one.error().message;
    acked.push_back((*one)[0]);
  }
  ASSERT_GT(store_->db.journal().end().segment, 2) << "the journal did not move past old's segment";

  EXPECT_EQ(prune(kT0 + kDay).deliveries, 1);
  ASSERT_TRUE(store_->log.indexPending().has_value());
  // What makes this the case under test: the first pending record shares old's segment.
  EXPECT_EQ(segmentOf(acked[0].id), oldSegment);
  for (std::size_t i = 0; i < acked.size(); ++i) {
    const auto d = store_->log.getDelivery(acked[i].id);
    ASSERT_TRUE(d.has_value()) << pending[i].deliveryId << ": " << d.error().message;
    EXPECT_EQ(d->rawBody, pending[i].body) << pending[i].deliveryId;
  }
  EXPECT_TRUE(store_->log.getDelivery(old)->bodyPrunedAt.has_value());
}

TEST_F(BodyRetentionTest, AFullStoreStillFreesTheSegmentTheIndexEndsIn) {
  store_.reset();
  // Under a cap from the start, so that segments grow by what is written (no preallocated tail).
  store_ = std::make_unique<SqliteRoles>(
      SqliteOptions{.path = dbPath(), .maxBytes = 1ll << 30, .journalSegmentBytes = 1024});
  retention_ = std::make_unique<SqliteBodyRetention>(store_->db);
  for (int i = 0; i < 8; ++i) processedAt(kT0 + i * kSecond);
  store_.reset();
  // Reopened under a cap that leaves the database some pages but not room for a large delivery:
  // its append starts the next segment (it does not fit in the last one), then fails store_full.
  // The index's end stays at the end of the segment before, with nothing past it.
  // What the cap counts: the database file and the journal's segments.
  auto used = static_cast<std::int64_t>(std::filesystem::file_size(dbPath()));
  for (const auto& name : segmentFiles())
    used += static_cast<std::int64_t>(std::filesystem::file_size(dir_.path() / "bodies" / name));
  store_ = std::make_unique<SqliteRoles>(
      SqliteOptions{.path = dbPath(), .maxBytes = used + (256 << 10), .journalSegmentBytes = 1024});
  retention_ = std::make_unique<SqliteBodyRetention>(store_->db);
  auto large = delivery("github", "h", "large", kNow);
  large.body = randomBytes(512 << 10, 7);
  large.bodySize = static_cast<std::int64_t>(large.body.size());
  const auto refused = store_->log.appendDurable(std::span(&large, 1));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().reason, "store_full");
  const auto before = segmentFiles();
  const auto indexEnd = store_->db.journalIndexedUpTo().segment;
  ASSERT_LT(indexEnd, store_->db.journal().end().segment) << "the failed append did not start a segment";

  EXPECT_EQ(prune(kT0 + kDay).deliveries, 8);
  const auto after = segmentFiles();
  char name[16];
  std::snprintf(name, sizeof name, "%08lld.seg", static_cast<long long>(indexEnd));
  EXPECT_NE(std::find(before.begin(), before.end(), name), before.end());
  EXPECT_EQ(std::find(after.begin(), after.end(), name), after.end()) << name << " kept: the store could stay full";
}

// Batches, pauses and the oldest-first order: ../body_retention_contract_test.cc, on every backend.

TEST_F(BodyRetentionTest, APrunedDeliveryCannotBeReplayedAndAFilteredReplaySkipsIt) {
  const auto old = processedAt(kT0);
  const auto recent = processedAt(kT0 + 30 * kDay);
  prune(kT0 + kDay);

  DeliveryFilter one;
  one.id = old;
  const auto refused = store_->queue.requeue(one, kNow);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::Conflict);
  EXPECT_EQ(refused.error().reason, "body_pruned");

  DeliveryFilter everything;
  everything.forge = "github";
  EXPECT_EQ(store_->queue.requeue(everything, kNow).value_or(-1), 1);
  EXPECT_EQ(store_->log.getDelivery(old)->status, "processed");
  EXPECT_EQ(store_->log.getDelivery(recent)->status, "queued");
}

TEST_F(BodyRetentionTest, RebuildOverPrunedBodiesKeepsTheProjectionsAndRequeuesTheRest) {
  const auto old = processedAt(kT0);
  const auto recent = processedAt(kT0 + 30 * kDay);
  prune(kT0 + kDay);

  const auto rebuilt = store_->queue.rebuildProjections(kNow);
  ASSERT_TRUE(rebuilt.has_value()) << rebuilt.error().message;
  EXPECT_EQ(rebuilt->queued, 1);
  EXPECT_EQ(rebuilt->pruned, 1);
  // Emptying would have lost the pruned delivery's activity line for good.
  EXPECT_EQ(count(Resource::Activity), 2u);
  EXPECT_EQ(store_->log.getDelivery(old)->status, "processed");
  EXPECT_EQ(store_->log.getDelivery(recent)->status, "queued");
}

TEST_F(BodyRetentionTest, ARebuildsDeliveriesNotQueuedYetKeepTheirBodies) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(processedAt(kT0));
  SqliteProcessingQueue queue(store_->db, store_->changes, 2);  // queues ids[0..1] now, the rest later
  ASSERT_TRUE(queue.rebuildProjections(kNow).has_value());
  ASSERT_EQ(store_->log.getDelivery(ids[2])->status, "processed");

  // Their projections are gone: their bodies are all that can make them again.
  EXPECT_EQ(retention_->measurePrunable(kT0 + kDay)->deliveries, 0);
  EXPECT_EQ(prune(kT0 + kDay).deliveries, 0);
  for (const auto id : ids) EXPECT_FALSE(store_->log.getDelivery(id)->bodyPrunedAt.has_value()) << id;
}

}  // namespace
}  // namespace forgehook::store::sqlite
