#pragma once
// The delivery log on SQLite: appends through the shared write connection (the group committer is
// its only hot user), lists and reads on pooled read connections. Thread-safe.
#include <mutex>

#include "store/delivery_log.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteDeliveryLog final : public DeliveryLog {
 public:
  // `changes` records each new delivery ("created") in the feed, in the same transaction. Indexes
  // what the body journal holds past the index's end (records a power cut took from the index)
  // before it returns; throws std::runtime_error when that fails (start-up only).
  SqliteDeliveryLog(Database& db, ChangeRecorder& changes);

  core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) override;
  core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) override;
  core::Result<DeliveryDetail> getDelivery(std::int64_t id) override;
  core::Result<std::vector<std::string>> storedDeliveryIds(const std::string& forge, const std::string& hookId,
                                                           std::span<const std::string> deliveryIds) override;
  core::Result<void> checkWritable() override { return db_.checkWritable(); }

 private:
  void recover();
  // Inside a write: the rows of `batch`, whose records are at `at`, and the index's new end.
  core::Result<void> index(std::span<const NewDelivery> batch, std::span<const JournalLocation> at,
                           JournalPosition end, std::vector<AppendOutcome>* outcomes);

  Database& db_;
  ChangeRecorder& changes_;
  std::mutex appendMutex_;
  // On the write connection: used inside db_.write() only.
  Statement insert_, hook_, liveBodies_, journalEnd_;
};

}  // namespace forgehook::store::sqlite
