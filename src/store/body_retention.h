#pragma once
// Retention of delivery bodies: the payloads of old deliveries are dropped, while the delivery's
// row (its summary and headers), the projections, the activity and the change feed derived from it
// stay. Only settled deliveries (not queued or retrying) lose their body: the pipeline still needs
// the others. Implementations are thread-safe.
#include <cstdint>
#include <functional>

#include "core/error.h"

namespace forgehook::store {

struct PrunedBodies {
  std::int64_t deliveries = 0;  // bodies pruned (or, measured, that would be)
  // Their stored (compressed) bytes: freed for reuse inside the database file, or, for a body in
  // the body journal, its whole record (headers included), deleted with its segment.
  std::int64_t bytes = 0;
};

class BodyRetention {
 public:
  virtual ~BodyRetention() = default;

  // What pruneBodies(cutoffMicros, ...) would prune now, changing nothing. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<PrunedBodies> measurePrunable(std::int64_t cutoffMicros) = 0;

  // Prunes the bodies of settled deliveries received before `cutoffMicros`, oldest first, in
  // transactions of at most `batchRows`. After each full batch it calls `between`, which should wait
  // a little so intake and the pipeline get the writer, and returns false to stop early. Returns what
  // was pruned (also on an early stop). Errors: Unavailable (what earlier batches pruned stays pruned).
  [[nodiscard]] virtual core::Result<PrunedBodies> pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros,
                                                               int batchRows,
                                                               const std::function<bool()>& between) = 0;
};

}  // namespace forgehook::store
