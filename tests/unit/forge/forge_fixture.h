#pragma once
// What the forge tests share: the SQLite roles (connections and the delivery log), a fake forge
// behind a fake client source, a fake clock, and a quiet logger.
#include <gtest/gtest.h>

#include "core/log.h"
#include "support/fake_clock.h"
#include "support/fake_forge_client.h"
#include "support/sqlite_fixture.h"

namespace forgehook::forge {

class ForgeTest : public store::sqlite::SqliteTest {
 protected:
  void SetUp() override { store_ = open(); }

  store::sqlite::SqliteRoles& store() { return *store_; }
  testing::FakeForgeClient& fake() { return *clients_.client; }

  // A delivery stored here, as ingest would store a GitHub delivery of hook `hookId`.
  void storeDelivery(const std::string& hookId, const std::string& guid) {
    appendOne(*store_, store::sqlite::delivery("github", hookId, guid, clock_.nowMicros()));
  }

  testing::FakeClock clock_{store::sqlite::kT0};
  testing::FakeClientSource clients_;
  core::Logger logger_{core::LogLevel::Error};
  std::unique_ptr<store::sqlite::SqliteRoles> store_;
};

}  // namespace forgehook::forge
