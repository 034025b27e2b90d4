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

// What finishProcessing did with the batch's `done` deliveries beyond marking them "processed".
struct FinishedBatch {
  int deadLettered = 0;  // records the store refused: "dead" with the error
  int duplicates = 0;    // event already applied from another source: "duplicate", nothing written
};

struct RebuildOutcome {
  std::int64_t queued = 0;  // deliveries queued to be processed again
  std::int64_t pruned = 0;  // deliveries left out because their body was pruned (0: a full rebuild)
};

class ProcessingQueue {
 public:
  virtual ~ProcessingQueue() = default;

  // Up to `max` deliveries due at `nowMicros` (queued, or retrying and past their retry time) with
  // an id above `afterId`, oldest first.
  [[nodiscard]] virtual core::Result<std::vector<QueuedDelivery>> dueForProcessing(int max, std::int64_t nowMicros,
                                                                                   std::int64_t afterId) = 0;
  // In one transaction: every write of `done` (each delivery becomes "processed") and the new state
  // of every `failed` one ("retrying" or "dead"). A delivery of `done` whose records the store
  // refuses is dead-lettered with the error instead. A delivery of `done` with an eventKey claims it
  // for its source (forge, key); when another source holds it already, the same event was applied
  // from there (a webhook and its polled copy) and the delivery becomes "duplicate" with nothing of
  // it written. Deliveries of one source never duplicate each other. Nothing is applied when it fails.
  [[nodiscard]] virtual core::Result<FinishedBatch> finishProcessing(std::span<const ProcessedDelivery> done,
                                                                     std::span<const FailedDelivery> failed,
                                                                     std::int64_t nowMicros) = 0;
  // Replay: queues the matching deliveries again (filter fields forge, event, repository, status,
  // time range, id), except those whose body was pruned (nothing is left to process). Returns how
  // many. The change feed hears of each whose status changed. Errors: Conflict "body_pruned" when
  // `filter.id` names a delivery whose body was pruned; Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> requeue(const DeliveryFilter& filter, std::int64_t nowMicros) = 0;
  // Claimed event keys older than `cutoffMicros` are forgotten, at most `maxRows` per call (small
  // write transactions). Returns how many were. After that an event fetched again from the other
  // source is applied again: the cutoff must be older than anything the poller fetches.
  [[nodiscard]] virtual core::Result<std::int64_t> pruneEventKeys(std::int64_t cutoffMicros, int maxRows) = 0;
  // Empties every derived projection (planned items and incident acknowledgements stay) and the
  // claimed event keys, and queues every delivery again: in one transaction the first chunk of them
  // (by id), the others a chunk at a time in the transactions of finishProcessing as processing
  // nears the end of what is queued, so the writer is never held for the whole log (at 10 M
  // deliveries that was a minute and a half without intake). The progress is stored: after a
  // restart the rebuild goes on. Deliveries received meanwhile come after it, as before. The change
  // feed gets a reset point (ChangeFeed) when the rebuild starts and another when its last chunk is
  // queued; in between, what the rebuild processes is not recorded row by row (neither the rows it
  // re-creates nor its deliveries' status changes): a reader refetches at each reset instead, and
  // what is processed after the second one is recorded as usual.
  // When retention has pruned bodies, emptying would lose for good what only those bodies held, so
  // nothing is emptied: every delivery that still has its body is queued again and re-applied over
  // the projections (versioned writes: the newest state wins, as in a replay), and the pruned ones
  // keep their status. Returns how many were queued, and how many were left out as pruned.
  [[nodiscard]] virtual core::Result<RebuildOutcome> rebuildProjections(std::int64_t nowMicros) = 0;
  // Every delivery that still has its body processed again over the projections, which are kept:
  // the rebuild above in its keeping form, chunks, reset points and all, so a replay of the whole
  // log never holds the store's writer for it or writes a feed record per delivery. Returns how many
  // are queued (in chunks). Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> replayAll(std::int64_t nowMicros) = 0;
};

}  // namespace forgehook::store
