#pragma once
// The delivery log on SQLite: appends through the shared write connection (the group committer is
// its only hot user), lists and reads on pooled read connections. Thread-safe.
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

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

  // appendBatch = appendDurable + indexPending. Reads (list, get, storedDeliveryIds) index what is
  // pending first, so the API shows every acknowledged delivery.
  core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) override;
  core::Result<std::vector<AppendOutcome>> appendDurable(std::span<NewDelivery> batch) override;
  core::Result<void> indexPending() override;
  core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) override;
  core::Result<DeliveryDetail> getDelivery(std::int64_t id) override;
  core::Result<std::vector<std::string>> storedDeliveryIds(const std::string& forge, const std::string& hookId,
                                                           std::span<const std::string> deliveryIds) override;
  core::Result<void> checkWritable() override { return db_.checkWritable(); }

 private:
  void recover();
  // Inside a write: the rows of `batch`, whose records are at `at`, and the index's new end. With
  // `ids`, a new row takes the id its acknowledgement named (0 = the next free one).
  core::Result<void> index(std::span<const NewDelivery> batch, std::span<const JournalLocation> at,
                           JournalPosition end, std::vector<AppendOutcome>* outcomes,
                           std::span<const std::int64_t> ids = {});
  // Under appendMutex_.
  core::Result<std::vector<AppendOutcome>> appendDurableLocked(std::span<NewDelivery> batch);
  core::Result<std::vector<AppendOutcome>> outcomesFor(std::span<NewDelivery> batch);
  core::Result<void> indexPendingLocked();

  Database& db_;
  ChangeRecorder& changes_;
  std::mutex appendMutex_;  // appends and indexing, and the fields below
  // Deliveries in the journal, answered, not indexed yet: their fields (headers and body left to
  // the journal), where their records are, and the id each new row takes (0 for a duplicate).
  std::vector<NewDelivery> pendingRows_;
  std::vector<JournalLocation> pendingAt_;
  std::vector<std::int64_t> pendingIds_;
  JournalPosition unindexedEnd_;                               // the journal's end after them
  std::unordered_map<std::string, std::int64_t> unindexedIds_;  // identityKey -> id
  // The id the next new delivery gets: rows are indexed in journal order with the ids their
  // acknowledgements named, so after a crash recover() (which lets SQLite pick max(id) + 1 in the
  // same order) gives each the same id again.
  std::int64_t nextId_ = 1;
  // On the write connection: used inside db_.write() only.
  Statement insert_, hook_, liveBodies_, journalEnd_;
};

}  // namespace forgehook::store::sqlite
