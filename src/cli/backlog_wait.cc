#include "cli/backlog_wait.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "cli/admin_target.h"

namespace forgehook::cli {

bool waitForBacklog(const AdminTarget& target, long long requeued, std::chrono::seconds timeout, std::ostream& progress,
                    std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long long total = requeued, shown = -1;
  for (;;) {
    const auto status = nlohmann::json::parse(target.get("/api/v1/metrics/status"));
    const auto& backlogValue = status["webhooks"]["processing_backlog"];
    const long long backlog = backlogValue.is_number() ? backlogValue.get<long long>() : 0;
    // Deliveries arriving meanwhile join the backlog: the total grows rather than going negative.
    total = std::max(total, backlog);
    const long long processed = total - backlog;
    if (processed != shown) {
      progress << "processed " << processed << " / " << total << "\n" << std::flush;
      shown = processed;
    }
    if (backlog == 0) return true;
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace forgehook::cli
