#pragma once
// What the tests of outbound subscriptions share: every store role on a temp SQLite database (as
// app/ opens it), and deliveries appended to produce change-feed records ("deliveries" "created",
// one per delivery, on the given repository).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_backend.h"
#include "support/test_keyring.h"
#include "support/fake_clock.h"
#include "support/sqlite_fixture.h"
#include "support/temp_dir.h"

namespace forgehook::testing {

class SubscriptionsTest : public ::testing::Test {
 protected:
  SubscriptionsTest()
      : backend_(store::sqlite::openSqliteBackend({(dir_.path() / "forgehook.db").string(), false, 0, &testing::testKeyring()})),
        subs_(backend_->subscriptionStore()) {}

  // Appends one delivery per repository name: one "deliveries" change each. Returns the newest seq.
  std::int64_t receive(const std::vector<std::string>& repositories) {
    std::vector<store::NewDelivery> batch;
    for (const auto& repository : repositories) {
      std::string id = std::to_string(++deliveries_);  // not "d" + ...: GCC 12 -Wrestrict false positive at -O3
      batch.push_back(store::sqlite::delivery("github", "h", id, clock_.nowMicros(), "push", repository));
    }
    EXPECT_TRUE(backend_->deliveryLog().appendBatch(batch).has_value());
    return backend_->changeFeed().newestSeq().value_or(-1);
  }
  std::int64_t receive(int n, const std::string& repository = "octo/repo") {
    return receive(std::vector<std::string>(static_cast<std::size_t>(n), repository));
  }

  store::Subscription create(store::SubscriptionSpec spec = {}) {
    if (spec.url.empty()) spec.url = "https://example.com/hook";
    auto s = subs_.create(spec, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", clock_.nowMicros());
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s.value_or(store::Subscription{});
  }
  std::int64_t enqueue() {
    auto n = subs_.enqueue(1000, clock_.nowMicros());
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n.value_or(-1);
  }
  std::vector<store::DueMessage> due(const std::vector<std::int64_t>& busy = {}) {
    auto d = subs_.due(clock_.nowMicros(), busy);
    EXPECT_TRUE(d.has_value()) << d.error().message;
    return d.value_or(std::vector<store::DueMessage>{});
  }
  store::Subscription get(std::int64_t id) {
    auto s = subs_.get(id);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s.value_or(store::Subscription{});
  }

  TempDir dir_;
  FakeClock clock_{store::sqlite::kT0};
  std::unique_ptr<store::Backend> backend_;
  store::SubscriptionStore& subs_;
  int deliveries_ = 0;
};

}  // namespace forgehook::testing
