// Migrations carry stored data forward: a database written by an earlier version opens with its
// deliveries intact.
#include "store/sqlite/schema.h"

#include <gtest/gtest.h>

#include "store/sqlite/statement.h"
#include "support/sqlite_fixture.h"

namespace forgehook::store::sqlite {
namespace {

// Version 7 kept a delivery's headers and body in its row; version 8 moved them to delivery_bodies.
TEST_F(SqliteTest, Migration8MovesHeadersAndBodiesOutOfTheDeliveryRows) {
  const std::string body = randomBytes(9000, 3);  // past one page: the body had overflow pages
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dbPath().c_str(), &db), SQLITE_OK);
    migrateTo(db, 7);
    {
      Statement insert(
          db,
          "INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, "
          "received_at, last_attempt_at, body_size, content_type, verification, status, headers, "
          "body_encoding, body) VALUES ('github', '1', 'd-old', 'issues', 'opened', 'o/r', 'me', ?1, ?1, "
          "?2, 'application/json', 'sha256', 'processed', '{\"X-GitHub-Event\":\"issues\"}', 'identity', ?3)");
      insert.bind(1, kT0).bind(2, static_cast<std::int64_t>(body.size())).bindBlob(3, body);
      ASSERT_EQ(insert.step(), SQLITE_DONE);
    }  // finalized before the close
    closeDatabase(db);
  }
  auto store = open();  // migrates to the newest version
  const auto page = store->log.listDeliveries({});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->deliveries.size(), 1u);
  const auto old = store->log.getDelivery(page->deliveries[0].id);
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_EQ(old->deliveryId, "d-old");
  EXPECT_EQ(old->status, "processed");
  EXPECT_EQ(old->headersJson, R"({"X-GitHub-Event":"issues"})");
  EXPECT_EQ(old->rawBody, body);

  // And a delivery appended after the migration reads back the same way.
  const auto id = appendOne(*store, delivery("github", "1", "d-new"));
  const auto fresh = store->log.getDelivery(id);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  EXPECT_EQ(fresh->rawBody, delivery("github", "1", "d-new").body);
}

// A redelivery counts an attempt on the delivery's row and leaves its stored body as it was.
TEST_F(SqliteTest, DuplicateKeepsTheFirstBody) {
  auto store = open();
  const auto id = appendOne(*store, delivery("github", "1", "d-1"));
  auto again = delivery("github", "1", "d-1", kT0 + kSecond);
  again.body = R"({"different":true})";
  const auto outcomes = append(*store, {again});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppendStatus::Duplicate);
  const auto d = store->log.getDelivery(id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->attempts, 2);
  EXPECT_EQ(d->rawBody, delivery("github", "1", "d-1").body);
}

}  // namespace
}  // namespace forgehook::store::sqlite
