#pragma once
// The embedded default store: one SQLite file in WAL mode. Writes go through one connection guarded
// by a mutex (the group committer is its only hot user); reads use a small pool of their own
// connections, which WAL lets run beside the writer. Thread-safe.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

struct sqlite3;

namespace forgehook::store::sqlite {

struct SqliteOptions {
  std::string path;           // database file
  bool fullSync = true;       // synchronous=FULL: durable across power loss
  std::int64_t maxBytes = 0;  // 0 = no cap; else the file may not grow past it (503 when full)
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and migrates it. Throws std::runtime_error (start-up only).
  explicit SqliteStore(SqliteOptions options);
  ~SqliteStore() override;

  core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) override;
  core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) override;
  core::Result<DeliveryDetail> getDelivery(std::int64_t id) override;
  core::Result<std::vector<ScopedSecrets>> loadSecrets() override;
  core::Result<void> putSecrets(const ScopedSecrets& secrets) override;
  core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope, const std::string& key) override;
  core::Result<void> checkWritable() override;

  // processing_queue.cc
  core::Result<std::vector<QueuedDelivery>> dueForProcessing(int max, std::int64_t nowMicros) override;
  core::Result<int> finishProcessing(std::span<const ProcessedDelivery> done, std::span<const FailedDelivery> failed,
                                     std::int64_t nowMicros) override;
  core::Result<std::int64_t> requeue(const DeliveryFilter& filter) override;
  core::Result<std::int64_t> rebuildProjections() override;

  // model_reader.cc
  core::Result<ResourcePage> listResource(const ResourceQuery& query) override;
  core::Result<std::string> getItem(std::int64_t id) override;
  core::Result<std::string> createItem(const ItemInput& input, std::int64_t nowSeconds) override;
  core::Result<std::string> updateItem(std::int64_t id, const ItemInput& input, std::int64_t nowSeconds) override;
  core::Result<void> deleteItem(std::int64_t id) override;
  core::Result<std::string> acknowledgeIncident(std::int64_t id, const std::string& by, const std::string& note,
                                                std::int64_t nowSeconds) override;
  core::Result<std::vector<std::string>> aggregate(const std::string& name,
                                                   const std::vector<FieldValue>& params) override;

  // Asks the background thread for a WAL checkpoint (called from SQLite's commit hook).
  void requestCheckpoint();

  // The write connection's PRAGMA synchronous now (2 FULL, 1 NORMAL): for tests of durability.
  [[nodiscard]] int synchronousLevel();

 private:
  class Writer;
  class ReaderLease;
  ReaderLease leaseReader();
  // Durable: the commit waits for fsync when store.synchronous is full. Relaxed: it does not; for
  // processing commits only, whose statuses and projections commit together and can always be
  // derived again (a commit lost to a power cut leaves its deliveries queued), and whose log frames
  // the next durable commit syncs.
  enum class Sync { Durable, Relaxed };
  // Every write goes through here: takes writeMutex_, runs `body` inside BEGIN IMMEDIATE ... COMMIT,
  // rolls back when it returns an error or throws (must() failures are store failures, which keep
  // the store not ready until a write succeeds; other exceptions are Internal).
  core::Result<void> inWriteTransaction(const std::function<core::Result<void>(Writer&)>& body,
                                        Sync sync = Sync::Durable);

  SqliteOptions options_;
  std::mutex writeMutex_;
  std::unique_ptr<Writer> writer_;
  std::mutex readersMutex_;
  std::vector<std::unique_ptr<sqlite3, void (*)(sqlite3*)>> idleReaders_;
  bool lastWriteFailed_ = false;  // guarded by writeMutex_
  // Pages left when a commit last failed for lack of space; -1 when it did not. Until more room
  // appears the store stays not-ready, even if a smaller delivery might still fit.
  std::int64_t pagesLeftAtFull_ = -1;      // guarded by writeMutex_
  [[nodiscard]] std::int64_t pagesLeft();  // requires writeMutex_; -1 without store.max_bytes

  // WAL checkpoints run here, on their own connection, instead of inside a commit, where copying
  // the log into the database would stall every delivery waiting for that commit.
  void checkpointLoop();
  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  bool checkpointWanted_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace forgehook::store::sqlite
