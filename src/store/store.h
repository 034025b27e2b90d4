#pragma once
// The one storage interface forgehook is written against. SQLite (store/sqlite/) is the embedded
// default; PostgreSQL will implement the same interface for several nodes. The delivery log is also
// the durable queue later pipeline workers consume (status "queued").
// Implementations are thread-safe.
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"

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
};

}  // namespace forgehook::store
