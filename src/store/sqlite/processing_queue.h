#pragma once
// The delivery log as the pipeline's queue on SQLite: each batch's projection writes and statuses
// commit in one relaxed transaction, with a savepoint per delivery. Thread-safe.
#include <optional>

#include "store/processing_queue.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/database.h"
#include "store/sqlite/projection_writer.h"

namespace forgehook::store::sqlite {

class SqliteProcessingQueue final : public ProcessingQueue {
 public:
  // How many deliveries (by id) a rebuild queues in one transaction.
  static constexpr std::int64_t kRebuildChunk = 10'000;
  // `changes` records in the feed what each batch changed, and each delivery's new status.
  SqliteProcessingQueue(Database& db, ChangeRecorder& changes, std::int64_t rebuildChunk = kRebuildChunk);

  core::Result<std::vector<QueuedDelivery>> dueForProcessing(int max, std::int64_t nowMicros,
                                                                std::int64_t afterId) override;
  core::Result<FinishedBatch> finishProcessing(std::span<const ProcessedDelivery> done,
                                               std::span<const FailedDelivery> failed, std::int64_t nowMicros) override;
  core::Result<std::int64_t> pruneEventKeys(std::int64_t cutoffMicros, int maxRows) override;
  core::Result<std::int64_t> requeue(const DeliveryFilter& filter, std::int64_t nowMicros) override;
  core::Result<RebuildOutcome> rebuildProjections(std::int64_t nowMicros) override;
  core::Result<std::int64_t> replayAll(std::int64_t nowMicros) override;

 private:
  Database& db_;
  ChangeRecorder& changes_;
  // On the write connection: used inside db_.write() only.
  Statement statusOf_, savepoint_, release_, undo_, markProcessed_, markFailed_, markDuplicate_;
  Statement keyOwner_, claimKey_, queueCommand_;
  // Queues `d`'s commands, each recorded in the change feed.
  void queueCommands(const ProcessedDelivery& d, std::int64_t nowMicros);
  // True when `d`'s event was applied from another source; otherwise claims its key if unclaimed.
  bool appliedElsewhere(const ProcessedDelivery& d, std::int64_t nowMicros);
  // In the caller's write transaction: queues the deliveries `filter` matches again, recording each
  // whose status changes in the change feed (replay and rebuild alike). Returns how many.
  std::int64_t queueAgain(const DeliveryFilter& filter, std::int64_t nowMicros);
  // In the caller's write transaction: queues the deliveries with a body and an id in (after,
  // through] again, recording each in the change feed. Returns how many.
  std::int64_t requeueRange(std::int64_t after, std::int64_t through, std::int64_t nowMicros);
  // In the caller's write transaction: queues a rebuild's next chunks, from `after` on, until one
  // of them queued something or `lastId` is reached; stores where it got to (or that it is done).
  // Returns true when the rebuild has nothing left to queue (its progress is then deleted).
  bool queueRebuildChunks(std::int64_t after, std::int64_t lastId, std::int64_t nowMicros);
  struct RebuildProgress {
    std::int64_t queuedThrough, lastId;  // rebuild_progress: ids up to queuedThrough are queued
  };
  // In finishProcessing's transaction, after a batch up to `batchLastId`: the next chunk of the
  // rebuild in progress once fewer than half a chunk (at most 1,024) of its queued deliveries are left.
  void continueRebuild(const RebuildProgress& rebuild, std::int64_t batchLastId, std::int64_t nowMicros);
  // A rebuild: empties the projections when `mayEmpty` and no body was pruned, else keeps them.
  core::Result<RebuildOutcome> startRebuild(std::int64_t nowMicros, bool mayEmpty);
  // Inside a write: the rebuild that still has chunks to queue, if any.
  std::optional<RebuildProgress> rebuildProgress();
  const std::int64_t rebuildChunk_;
  Statement rebuildProgress_, pendingUpTo_;
  ProjectionWriter projections_;
};

}  // namespace forgehook::store::sqlite
