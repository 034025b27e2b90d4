#pragma once
// Which node runs each periodic job when several nodes share one store: housekeeping (retention,
// pruning), the outbound dispatcher (a subscription's message is sent once, not once per node),
// the command scheduler (a rule's command runs once) and the forge scheduler (reconciliation,
// polling). A job asks before each run; the answer can change between two runs (a leader died,
// or this node lost its connection). Implementations are thread-safe.
#include <string_view>

namespace forgehook::store {

class Leadership {
 public:
  virtual ~Leadership() = default;
  // True when this node runs `job` now. At most one node at a time answers true for a job.
  [[nodiscard]] virtual bool leads(std::string_view job) = 0;
};

// One node alone (the SQLite store): it runs every job.
class SoleNode final : public Leadership {
 public:
  bool leads(std::string_view) override { return true; }
};

}  // namespace forgehook::store
