#pragma once
// The list resources on SQLite (store/resources.h, sqlite/resource_sql.h), read on pooled read
// connections. Thread-safe.
#include "store/activity_reader.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteActivityReader final : public ActivityReader {
 public:
  // Builds every resource's SQL now, so a catalog field without an expression stops the start
  // (std::logic_error) instead of failing requests.
  explicit SqliteActivityReader(Database& db);
  core::Result<ResourcePage> listResource(const ResourceQuery& query) override;
  core::Result<Snapshot> snapshot(const std::vector<ResourceQuery>& queries) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
