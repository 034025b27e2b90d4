#pragma once
// The delivery log: every verified delivery, committed before it is acknowledged, deduplicated by
// (forge, hook id, delivery id). Implementations are thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"

namespace forgehook::store {

class DeliveryLog {
 public:
  virtual ~DeliveryLog() = default;

  // Commits the batch durably and indexes it; on success one outcome per input, in order. A
  // delivery whose (forge, hookId, deliveryId) exists is a Duplicate: its attempts grow instead.
  // Should indexing fail after the batch is durable, the outcomes are returned and the rows stay
  // pending, as after appendDurable(). Errors: Unavailable ("store_unavailable", "store_full")
  // when nothing of the batch could be committed.
  [[nodiscard]] virtual core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) = 0;

  // The group committer's two steps. appendDurable() makes the batch durable and decides each
  // delivery's outcome (its id; duplicate or not, counting deliveries not indexed yet) without
  // necessarily indexing it: until indexPending() has run, list and metric queries may not show
  // it. The committer acknowledges after appendDurable() and indexes many groups at once, which
  // costs the store far fewer page writes than a transaction per group. A store that indexes as it
  // appends keeps these defaults. appendDurable may move from the batch's deliveries: the caller
  // gives them up. Errors: as appendBatch; indexPending's leave the rows pending (durable, indexed
  // by a later call or at start).
  [[nodiscard]] virtual core::Result<std::vector<AppendOutcome>> appendDurable(std::span<NewDelivery> batch) {
    return appendBatch(batch);
  }
  // Indexes what appendDurable() left, in one transaction.
  [[nodiscard]] virtual core::Result<void> indexPending() { return {}; }
  // How many deliveries appendDurable() left to index (0 for a store that indexes as it appends).
  [[nodiscard]] virtual std::size_t pendingCount() const { return 0; }

  // Newest first. Errors: InvalidArgument for a bad filter; Unavailable on I/O failure.
  [[nodiscard]] virtual core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<DeliveryDetail> getDelivery(std::int64_t id) = 0;

  // Those of `deliveryIds` stored for (forge, hookId), each once, in no particular order: what
  // reconciliation against the forge's delivery log need not redeliver. Any number of ids. An
  // empty hookId matches every hook of the forge (GitLab stores its hooks' UUID, which its API
  // does not name; its delivery ids are unique on their own).
  // Errors: Unavailable on I/O failure.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> storedDeliveryIds(
      const std::string& forge, const std::string& hookId, std::span<const std::string> deliveryIds) = 0;

  // Ok when a delivery could be committed now. Errors: Unavailable with the reason.
  [[nodiscard]] virtual core::Result<void> checkWritable() = 0;
};

}  // namespace forgehook::store
