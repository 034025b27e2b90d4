#pragma once
// The delivery log as the pipeline's durable queue. Nothing is claimed: one pipeline reads what is
// due and commits the result; a crash before that commit leaves the deliveries due again (a
// PostgreSQL store will claim with FOR UPDATE SKIP LOCKED behind the same calls). Implementations
// are thread-safe.
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/delivery.h"

namespace forgehook::store {

class ProcessingQueue {
 public:
  virtual ~ProcessingQueue() = default;

  // Up to `max` deliveries due at `nowMicros` (queued, or retrying and past their retry time), oldest first.
  [[nodiscard]] virtual core::Result<std::vector<QueuedDelivery>> dueForProcessing(int max, std::int64_t nowMicros) = 0;
  // In one transaction: every write of `done` (each delivery becomes "processed") and the new state
  // of every `failed` one ("retrying" or "dead"). A delivery of `done` whose records the store
  // refuses is dead-lettered with the error instead; returns how many were. Nothing is applied when
  // it fails.
  [[nodiscard]] virtual core::Result<int> finishProcessing(std::span<const ProcessedDelivery> done,
                                                           std::span<const FailedDelivery> failed,
                                                           std::int64_t nowMicros) = 0;
  // Replay: queues the matching deliveries again (filter fields forge, event, repository, status,
  // time range, id). Returns how many. The change feed hears of each whose status changed.
  [[nodiscard]] virtual core::Result<std::int64_t> requeue(const DeliveryFilter& filter, std::int64_t nowMicros) = 0;
  // Empties every derived projection (planned items and incident acknowledgements stay) and queues
  // every delivery again, in one transaction. Returns how many deliveries were queued. The change
  // feed records the deliveries' status changes; the emptied projections are recorded again as
  // "created" or "updated" while the deliveries are processed anew (nothing is recorded deleted).
  [[nodiscard]] virtual core::Result<std::int64_t> rebuildProjections(std::int64_t nowMicros) = 0;
};

}  // namespace forgehook::store
