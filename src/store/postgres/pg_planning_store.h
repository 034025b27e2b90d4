#pragma once
// Planned items and incident acknowledgements on PostgreSQL (store/planning_store.h), as the SQLite
// store keeps them: each write and its change-feed records (pg_change_log.h) commit in one
// transaction, and rows are the list API's (store/resource_sql.h, PostgreSQL's SQL). Thread-safe.
#include <cstdint>
#include <string>

#include "store/planning_store.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgPlanningStore final : public PlanningStore {
 public:
  explicit PgPlanningStore(PgPool& pool) : pool_(pool) {}

  [[nodiscard]] core::Result<std::string> getItem(std::int64_t id) override;
  [[nodiscard]] core::Result<std::string> createItem(const ItemInput& input, std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<std::string> updateItem(std::int64_t id, const ItemInput& input,
                                                     std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<void> deleteItem(std::int64_t id, std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<std::string> acknowledgeIncident(std::int64_t id, const std::string& by,
                                                              const std::string& note,
                                                              std::int64_t nowSeconds) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
