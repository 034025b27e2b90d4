#pragma once
// The store roles that run on every backend, for contract tests: the same test, parameterized by
// backend name ("sqlite", "postgres"), runs against a fresh SQLite file or a fresh database of a
// throwaway PostgreSQL cluster (support/postgres_cluster.h). Raw SQL (rawTexts, rawExec) looks at
// or changes what a backend stored, in SQL both dialects read alike.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/postgres/pg_body_retention.h"
#include "store/postgres/pg_change_feed.h"
#include "store/postgres/pg_delivery_log.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_secret_store.h"
#include "store/postgres/pg_session_store.h"
#include "store/postgres/pg_token_store.h"
#include "store/sqlite/body_retention.h"
#include "support/postgres_cluster.h"
#include "support/raw_sqlite.h"
#include "support/sqlite_fixture.h"
#include "support/temp_dir.h"
#include "support/test_keyring.h"

namespace forgehook::testing {

class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual store::DeliveryLog& log() = 0;
  virtual store::TokenStore& tokens() = 0;
  virtual store::SessionStore& sessions() = 0;
  virtual store::SecretStore& secrets() = 0;
  virtual store::ChangeFeed& feed() = 0;
  virtual store::BodyRetention& retention() = 0;
  // Closes the store and opens it again on the same data (a restart).
  virtual void reopen() = 0;
  // The first column of every row `sql` returns, as text.
  virtual std::vector<std::string> rawTexts(const std::string& sql) = 0;
  virtual void rawExec(const std::string& sql) = 0;

  static std::unique_ptr<StoreUnderTest> make(const std::string& backend);
};

class SqliteUnderTest final : public StoreUnderTest {
 public:
  SqliteUnderTest() { reopen(); }
  store::DeliveryLog& log() override { return roles_->log; }
  store::TokenStore& tokens() override { return roles_->tokens; }
  store::SessionStore& sessions() override { return roles_->sessions; }
  store::SecretStore& secrets() override { return roles_->secrets; }
  store::ChangeFeed& feed() override { return roles_->feed; }
  store::BodyRetention& retention() override { return *retention_; }
  void reopen() override {
    retention_.reset();
    roles_.reset();
    roles_ = std::make_unique<store::sqlite::SqliteRoles>(store::sqlite::SqliteOptions{path(), true, 0});
    retention_ = std::make_unique<store::sqlite::SqliteBodyRetention>(roles_->db);
  }
  std::vector<std::string> rawTexts(const std::string& sql) override { return testing::rawTexts(path(), sql); }
  void rawExec(const std::string& sql) override { testing::rawExec(path(), sql); }
  std::string path() const { return (dir_.path() / "forgehook.db").string(); }
  store::sqlite::SqliteRoles& roles() { return *roles_; }

 private:
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteRoles> roles_;
  std::unique_ptr<store::sqlite::SqliteBodyRetention> retention_;
};

class PostgresUnderTest final : public StoreUnderTest {
 public:
  PostgresUnderTest() : url_(PostgresCluster::shared().createDatabase()) {
    reopen();
    auto conn = roles_->pool.lease();
    if (!conn) throw std::runtime_error(conn.error().message);
    if (auto migrated = store::postgres::pgMigrate(**conn); !migrated)
      throw std::runtime_error(migrated.error().message);
  }
  store::DeliveryLog& log() override { return roles_->log; }
  store::TokenStore& tokens() override { return roles_->tokens; }
  store::SessionStore& sessions() override { return roles_->sessions; }
  store::SecretStore& secrets() override { return roles_->secrets; }
  store::ChangeFeed& feed() override { return roles_->feed; }
  store::BodyRetention& retention() override { return roles_->retention; }
  void reopen() override {
    roles_.reset();
    roles_ = std::make_unique<Roles>(url_);
  }
  std::vector<std::string> rawTexts(const std::string& sql) override {
    auto conn = roles_->pool.lease();
    if (!conn) throw std::runtime_error(conn.error().message);
    auto rows = (*conn)->exec(sql);
    if (!rows) throw std::runtime_error(rows.error().message);
    std::vector<std::string> out;
    for (int i = 0; i < rows->rows(); ++i) out.push_back(rows->text(i, 0));
    return out;
  }
  void rawExec(const std::string& sql) override { (void)rawTexts(sql); }
  store::postgres::PgPool& pool() { return roles_->pool; }
  const std::string& url() const { return url_; }

 private:
  struct Roles {
    explicit Roles(const std::string& url)
        : pool({url, ""}, 4),
          log(pool),
          tokens(pool),
          sessions(pool),
          secrets(pool, testKeyring()),
          feed(pool, {url, ""}, 60'000),  // a minute: tests see notifications, not the catch-up timer
          retention(pool) {}
    store::postgres::PgPool pool;
    store::postgres::PgDeliveryLog log;
    store::postgres::PgTokenStore tokens;
    store::postgres::PgSessionStore sessions;
    store::postgres::PgSecretStore secrets;
    store::postgres::PgChangeFeed feed;
    store::postgres::PgBodyRetention retention;
  };
  std::string url_;
  std::unique_ptr<Roles> roles_;
};

inline std::unique_ptr<StoreUnderTest> StoreUnderTest::make(const std::string& backend) {
  if (backend == "sqlite") return std::make_unique<SqliteUnderTest>();
  if (backend == "postgres") return std::make_unique<PostgresUnderTest>();
  throw std::invalid_argument("no backend " + backend);
}

// Every backend, for INSTANTIATE_TEST_SUITE_P.
inline auto allBackends() { return ::testing::Values(std::string("sqlite"), std::string("postgres")); }

}  // namespace forgehook::testing
