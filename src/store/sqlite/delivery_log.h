#pragma once
// The delivery log on SQLite: appends through the shared write connection (the group committer is
// its only hot user), lists and reads on pooled read connections. Thread-safe.
#include <atomic>
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
  std::size_t pendingCount() const override { return pendingCount_.load(); }

 private:
  // A delivery in the journal, answered, not indexed yet: its fields (headers and body left to the
  // journal), where its record is, and the id its row takes (0 for a duplicate).
  struct Pending {
    NewDelivery row;
    JournalLocation at;
    std::int64_t id = 0;
  };
  void recover();
  // Inside a write: the rows of `pending`, and the index's new end (after the last one).
  core::Result<void> index(std::span<const Pending> pending);
  // Under appendMutex_.
  core::Result<std::vector<AppendOutcome>> appendDurableLocked(std::span<NewDelivery> batch);
  core::Result<std::vector<AppendOutcome>> outcomesFor(std::span<const NewDelivery> batch,
                                                       const std::vector<std::string>& keys);
  core::Result<void> indexPendingLocked();
  core::Result<DeliveryDetail> readDelivery(std::int64_t id);

  Database& db_;
  ChangeRecorder& changes_;
  std::mutex appendMutex_;  // appends and indexing, and the fields below
  std::vector<Pending> pending_;
  // pending_.size(), read without the lock: a read with nothing pending does not wait for an
  // append's fdatasync.
  std::atomic<std::size_t> pendingCount_{0};
  std::unordered_map<std::string, std::int64_t> unindexedIds_;  // identityKey -> id
  // The id the next new delivery gets: rows are indexed in journal order with the ids their
  // acknowledgements named, so after a crash recover() (which lets SQLite pick max(id) + 1 in the
  // same order) gives each the same id again.
  std::int64_t nextId_ = 1;
  // On the write connection: used inside db_.write() only.
  Statement insert_, hook_, liveBodies_, journalEnd_;
};

}  // namespace forgehook::store::sqlite
