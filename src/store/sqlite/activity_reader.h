#pragma once
// The list resources on SQLite (store/resources.h, sqlite/resource_sql.h), read on pooled read
// connections. Thread-safe.
#include "store/activity_reader.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteActivityReader final : public ActivityReader {
 public:
  explicit SqliteActivityReader(Database& db) : db_(db) {}
  core::Result<ResourcePage> listResource(const ResourceQuery& query) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
