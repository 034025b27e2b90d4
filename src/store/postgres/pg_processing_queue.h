#pragma once
// The delivery log as the pipeline's queue on PostgreSQL, shared by several nodes: each node's
// pipeline takes its batches through repository claims (pg_processing_claims.h), so two nodes never
// apply deliveries of one repository at once or out of order, and commits a batch's projection
// writes and statuses in one transaction that first confirms its claims are still its own. A batch
// whose claims another node took over (the lease ran out) is rolled back: that node processes it.
//
// What a node has handed out and not yet finished is "in flight": its deliveries are not handed
// out again, and the claims they came from are renewed (not given back) meanwhile. The pipeline
// reads ahead one batch at most (pipeline/processor.h): a read with afterId 0 means nothing it read
// before is in flight any more (finished, or dropped after a failed finish). Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_processing_claims.h"
#include "store/processing_queue.h"

namespace forgehook::store::postgres {

class PgProcessingQueue final : public ProcessingQueue {
 public:
  // How many deliveries (by id) a rebuild queues in one transaction.
  static constexpr std::int64_t kRebuildChunk = 10'000;
  // `node`: this node's name, unique among the nodes; `leaseMicros`: how long a claim lasts.
  PgProcessingQueue(PgPool& pool, std::string node, std::int64_t leaseMicros,
                    std::int64_t rebuildChunk = kRebuildChunk);

  core::Result<std::vector<QueuedDelivery>> dueForProcessing(int max, std::int64_t nowMicros,
                                                                std::int64_t afterId) override;
  core::Result<FinishedBatch> finishProcessing(std::span<const ProcessedDelivery> done,
                                               std::span<const FailedDelivery> failed, std::int64_t nowMicros) override;
  core::Result<std::int64_t> pruneEventKeys(std::int64_t cutoffMicros, int maxRows) override;
  core::Result<std::int64_t> requeue(const DeliveryFilter& filter, std::int64_t nowMicros) override;
  core::Result<RebuildOutcome> rebuildProjections(std::int64_t nowMicros) override;
  core::Result<std::int64_t> replayAll(std::int64_t nowMicros) override;

 private:
  // The tokens of the claims `ids` came from (in flight).
  std::vector<std::int64_t> tokensOf(std::span<const std::int64_t> ids);
  // Once their batch committed or failed: `ids` are no longer in flight. Not before: a batch read
  // ahead meanwhile must not take them again while their results are not committed yet.
  void forget(std::span<const std::int64_t> ids);
  // Of `tokens`, those no delivery in flight besides `ids` came from (none while a claim is being taken).
  std::vector<std::int64_t> releasable(const std::vector<std::int64_t>& tokens, std::span<const std::int64_t> ids);

  core::Result<RebuildOutcome> startRebuild(std::int64_t nowMicros, bool mayEmpty);

  PgPool& pool_;
  PgProcessingClaims claims_;
  const std::int64_t rebuildChunk_;
  std::mutex mutex_;
  std::map<std::int64_t, std::int64_t> inFlight_;  // delivery id -> token of its claim
  bool claiming_ = false;                          // a dueForProcessing is taking claims right now
};

}  // namespace forgehook::store::postgres
