#pragma once
// The parts of the model people write by hand: planned items and incident acknowledgements. Both
// survive a rebuild. Rows are the API's JSON objects (the `items` and `incidents` resources).
// Implementations are thread-safe.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "store/model_query.h"

namespace forgehook::store {

class PlanningStore {
 public:
  virtual ~PlanningStore() = default;

  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<std::string> getItem(std::int64_t id) = 0;
  [[nodiscard]] virtual core::Result<std::string> createItem(const ItemInput& input, std::int64_t nowSeconds) = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<std::string> updateItem(std::int64_t id, const ItemInput& input,
                                                             std::int64_t nowSeconds) = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> deleteItem(std::int64_t id, std::int64_t nowSeconds) = 0;
  // Returns the incident. Errors: NotFound (also when the pipeline recomputed it away); Unavailable.
  [[nodiscard]] virtual core::Result<std::string> acknowledgeIncident(std::int64_t id, const std::string& by,
                                                                      const std::string& note,
                                                                      std::int64_t nowSeconds) = 0;
};

}  // namespace forgehook::store
