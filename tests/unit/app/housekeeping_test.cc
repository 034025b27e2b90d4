// Housekeeping's retention of delivery bodies: its first pass (at start) prunes the bodies older
// than store.retention_days and keeps the newer ones; with no retention it keeps every body.
#include "app/housekeeping.h"

#include <gtest/gtest.h>

#include "store/sqlite/body_retention.h"
#include "support/fake_clock.h"
#include "support/sqlite_fixture.h"

namespace forgehook::app {
namespace {

using store::sqlite::kSecond;
using store::sqlite::kT0;
constexpr std::int64_t kDay = 86'400 * kSecond;

class HousekeepingTest : public store::sqlite::SqliteTest {
 protected:
  void SetUp() override {
    store_ = open();
    bodies_ = std::make_unique<store::sqlite::SqliteBodyRetention>(store_->db);
  }
  // A delivery received at `at` and processed.
  std::int64_t processedAt(std::int64_t at) {
    const auto id = appendOne(*store_, store::sqlite::delivery("github", "h", "d-" + std::to_string(at), at));
    store::ProcessedDelivery done;
    done.id = id;
    done.activity.at = at / kSecond;
    done.activity.forge = "github";
    done.activity.kind = "issues";
    EXPECT_TRUE(store_->queue.finishProcessing(std::span(&done, 1), {}, at).has_value());
    return id;
  }
  // One pass: the first runs at start, whatever stop() says, and stop() waits for it.
  void runOnePass(std::int64_t retentionMicros) {
    Housekeeping housekeeping(store_->feed, {}, nullptr, &store_->queue, {bodies_.get(), retentionMicros}, clock_,
                              logger_, std::chrono::hours(1));
    housekeeping.start();
    housekeeping.stop();
  }
  bool pruned(std::int64_t id) { return store_->log.getDelivery(id)->bodyPrunedAt.has_value(); }

  std::unique_ptr<store::sqlite::SqliteRoles> store_;
  std::unique_ptr<store::sqlite::SqliteBodyRetention> bodies_;
  testing::FakeClock clock_{kT0 + 10 * kDay};
  core::Logger logger_{core::LogLevel::Error};
};

TEST_F(HousekeepingTest, PrunesTheBodiesOlderThanTheRetention) {
  const auto old = processedAt(kT0);
  const auto recent = processedAt(kT0 + 9 * kDay);
  runOnePass(7 * kDay);
  EXPECT_TRUE(pruned(old));
  EXPECT_FALSE(pruned(recent));
}

TEST_F(HousekeepingTest, KeepsEveryBodyWithoutARetention) {
  const auto old = processedAt(kT0);
  runOnePass(0);
  EXPECT_FALSE(pruned(old));
}

}  // namespace
}  // namespace forgehook::app
