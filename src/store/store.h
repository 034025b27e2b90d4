#pragma once
// The one storage interface forgehook is written against. SQLite (store/sqlite/) is the embedded
// default; PostgreSQL will implement the same interface for several nodes. The delivery log is also
// the durable queue later pipeline workers consume (status "queued").
// Implementations are thread-safe.
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/delivery.h"
#include "store/model_query.h"

namespace forgehook::store {

class Store {
 public:
  virtual ~Store() = default;

  // Commits the batch in one durable transaction; on success one outcome per input, in order.
  // A delivery whose (forge, hookId, deliveryId) exists is a Duplicate: its attempts grow instead.
  // Errors: Unavailable ("store_unavailable") when nothing of the batch could be committed.
  [[nodiscard]] virtual core::Result<std::vector<AppendOutcome>> appendBatch(std::span<const NewDelivery> batch) = 0;

  // Errors: InvalidArgument for a bad filter; Unavailable on I/O failure.
  [[nodiscard]] virtual core::Result<DeliveryPage> listDeliveries(const DeliveryFilter& filter) = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<DeliveryDetail> getDelivery(std::int64_t id) = 0;

  [[nodiscard]] virtual core::Result<std::vector<ScopedSecrets>> loadSecrets() = 0;
  [[nodiscard]] virtual core::Result<void> putSecrets(const ScopedSecrets& secrets) = 0;
  // Errors: NotFound when nothing was stored for that scope.
  [[nodiscard]] virtual core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope,
                                                         const std::string& key) = 0;

  // Ok when a delivery could be committed now. Errors: Unavailable with the reason.
  [[nodiscard]] virtual core::Result<void> checkWritable() = 0;

  // --- The processing queue (pipeline/). Nothing is claimed: one pipeline reads what is due and
  // commits the result; a crash before that commit leaves the deliveries due again.
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
  // time range, id). Returns how many.
  [[nodiscard]] virtual core::Result<std::int64_t> requeue(const DeliveryFilter& filter) = 0;
  // Empties every derived projection (planned items and incident acknowledgements stay) and queues
  // every delivery again, in one transaction. Returns how many deliveries were queued.
  [[nodiscard]] virtual core::Result<std::int64_t> rebuildProjections() = 0;

  // --- The activity model (api/). Errors: InvalidArgument for an unknown resource or bad filter.
  [[nodiscard]] virtual core::Result<ResourcePage> listResource(const ResourceQuery& query) = 0;
  // Errors: NotFound.
  [[nodiscard]] virtual core::Result<std::string> getItem(std::int64_t id) = 0;
  [[nodiscard]] virtual core::Result<std::string> createItem(const ItemInput& input, std::int64_t nowSeconds) = 0;
  [[nodiscard]] virtual core::Result<std::string> updateItem(std::int64_t id, const ItemInput& input,
                                                             std::int64_t nowSeconds) = 0;
  [[nodiscard]] virtual core::Result<void> deleteItem(std::int64_t id) = 0;
  // Errors: NotFound.
  [[nodiscard]] virtual core::Result<std::string> acknowledgeIncident(std::int64_t id, const std::string& by,
                                                                      const std::string& note,
                                                                      std::int64_t nowSeconds) = 0;
  // One of the store's named read-only queries behind the metrics endpoints (see
  // sqlite/aggregates.cc): one JSON object per row. Errors: InvalidArgument for an unknown name.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> aggregate(const std::string& name,
                                                                         const std::vector<FieldValue>& params) = 0;
};

}  // namespace forgehook::store
