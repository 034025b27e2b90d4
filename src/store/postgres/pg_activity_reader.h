#pragma once
// The list resources on PostgreSQL (store/activity_reader.h): the same page queries as the SQLite
// store's (store/resource_page_query.h) in PostgreSQL's SQL, so both answer with the same JSON
// values.
#include "store/activity_reader.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgActivityReader final : public ActivityReader {
 public:
  explicit PgActivityReader(PgPool& pool) : pool_(pool) {}
  [[nodiscard]] core::Result<ResourcePage> listResource(const ResourceQuery& query) override;
  [[nodiscard]] core::Result<Snapshot> snapshot(const std::vector<ResourceQuery>& queries) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
