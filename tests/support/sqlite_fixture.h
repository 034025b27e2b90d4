#pragma once
// What the SQLite store tests share: the roles on one database as app/ wires them, a fixture that
// opens them in a temp dir, and deliveries to append.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/body_codec.h"
#include "store/sqlite/activity_reader.h"
#include "store/sqlite/change_feed.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/connection_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/delivery_log.h"
#include "store/sqlite/metrics_reader.h"
#include "store/sqlite/planning_store.h"
#include "store/sqlite/processing_queue.h"
#include "store/sqlite/secret_store.h"
#include "store/sqlite/session_store.h"
#include "store/sqlite/token_store.h"
#include "support/temp_dir.h"
#include "support/test_keyring.h"

namespace forgehook::store::sqlite {

// Marks what it seals, so tests see that a store sealed a secret before writing it.
class TestSealer final : public SecretSealer {
 public:
  static constexpr std::string_view kMark = "test-sealed:";
  std::string seal(std::string_view plain) const override { return std::string(kMark) + std::string(plain); }
  core::Result<std::string> open(std::string_view sealed) const override {
    if (!sealed.starts_with(kMark))
      return std::unexpected(core::Error{core::Code::Internal, "secret_undecryptable", "not sealed", 0});
    return std::string(sealed.substr(kMark.size()));
  }
  bool needsResealing(std::string_view stored) const override { return !stored.starts_with(kMark); }
};

// Every role on one database.
struct SqliteRoles {
  explicit SqliteRoles(SqliteOptions options)
      : db(std::move(options)),
        changes(db.writeConnection()),
        log(db, changes),
        secrets(db, testing::testKeyring()),
        queue(db, changes),
        reader(db),
        planning(db, changes),
        metrics(db),
        feed(db),
        tokens(db),
        sessions(db),
        connections(db, sealer) {}
  Database db;
  ChangeRecorder changes;
  SqliteDeliveryLog log;
  SqliteSecretStore secrets;
  SqliteProcessingQueue queue;
  SqliteActivityReader reader;
  SqlitePlanningStore planning;
  SqliteMetricsReader metrics;
  SqliteChangeFeed feed;
  SqliteTokenStore tokens;
  SqliteSessionStore sessions;
  TestSealer sealer;
  SqliteConnectionStore connections;
};

constexpr std::int64_t kT0 = 1'795'428'000'000'000;  // 2026-11-23T10:00:00Z
constexpr std::int64_t kSecond = 1'000'000;

inline NewDelivery delivery(std::string forge, std::string hookId, std::string deliveryId,
                            std::int64_t receivedAt = kT0, std::string event = "issues",
                            std::string repository = "Codertocat/Hello-World") {
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

inline std::string randomBytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// How many rows `table` has (-1 when it cannot be read), on a read connection.
inline std::int64_t rowCount(Database& db, const std::string& table) {
  std::int64_t n = -1;
  EXPECT_TRUE(db.read<void>([&](sqlite3* c) -> core::Result<void> {
    Statement s(c, "SELECT count(*) FROM " + table);
    if (s.step() == SQLITE_ROW) n = s.integer(0);
    return {};
  }));
  return n;
}

inline std::vector<std::int64_t> ids(const DeliveryPage& page) {
  std::vector<std::int64_t> out;
  for (const auto& d : page.deliveries) out.push_back(d.id);
  return out;
}

class SqliteTest : public ::testing::Test {
 protected:
  std::string dbPath() const { return (dir_.path() / "forgehook.db").string(); }

  std::unique_ptr<SqliteRoles> open(std::int64_t maxBytes = 0) {
    return std::make_unique<SqliteRoles>(SqliteOptions{dbPath(), true, maxBytes});
  }

  std::vector<AppendOutcome> append(SqliteRoles& store, std::vector<NewDelivery> batch) {
    auto outcomes = store.log.appendBatch(batch);
    if (!outcomes) {
      ADD_FAILURE() << "appendBatch failed: " << outcomes.error().message;
      return {};
    }
    EXPECT_EQ(outcomes->size(), batch.size());
    return *outcomes;
  }

  std::int64_t appendOne(SqliteRoles& store, NewDelivery d) {
    const auto outcomes = append(store, {std::move(d)});
    return outcomes.empty() ? -1 : outcomes[0].id;
  }

  testing::TempDir dir_;
};

}  // namespace forgehook::store::sqlite
