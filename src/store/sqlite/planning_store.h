#pragma once
// Planned items and incident acknowledgements on SQLite. Thread-safe.
#include "store/planning_store.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqlitePlanningStore final : public PlanningStore {
 public:
  // `changes` records every change of an item or incident in the feed, in the same transaction.
  SqlitePlanningStore(Database& db, ChangeRecorder& changes) : db_(db), changes_(changes) {}

  core::Result<std::string> getItem(std::int64_t id) override;
  core::Result<std::string> createItem(const ItemInput& input, std::int64_t nowSeconds) override;
  core::Result<std::string> updateItem(std::int64_t id, const ItemInput& input, std::int64_t nowSeconds) override;
  core::Result<void> deleteItem(std::int64_t id, std::int64_t nowSeconds) override;
  core::Result<std::string> acknowledgeIncident(std::int64_t id, const std::string& by, const std::string& note,
                                                std::int64_t nowSeconds) override;

 private:
  // The row of `resource` whose row id is `id`, as the list API shows it; NotFound with `missing`.
  core::Result<std::string> readOne(Resource resource, std::int64_t id, const std::string& missing);
  Database& db_;
  ChangeRecorder& changes_;
};

}  // namespace forgehook::store::sqlite
