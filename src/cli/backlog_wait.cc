#include "cli/backlog_wait.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "cli/admin_target.h"
#include "cli/query_escape.h"

namespace forgehook::cli {
namespace {

// Whether any delivery of `scope` is still queued.
bool anyQueued(const AdminTarget& target, const WaitScope& scope) {
  if (scope.deliveryId) {
    const auto d = nlohmann::json::parse(target.get("/api/v1/deliveries/" + std::to_string(*scope.deliveryId)));
    return d.value("status", "") == "queued";
  }
  // cursor=N lists deliveries with id < N: those stored before the replay.
  std::string query = "?status=queued&limit=1&cursor=" + std::to_string(scope.newestIdBefore + 1);
  for (const auto& [name, value] : scope.filters)
    if (!value.empty() && name != "status") query += "&" + name + "=" + queryEscape(value);
  const auto page = nlohmann::json::parse(target.get("/api/v1/deliveries" + query));
  return !page["deliveries"].empty();
}

}  // namespace

long long newestDeliveryId(const AdminTarget& target) {
  const auto page = nlohmann::json::parse(target.get("/api/v1/deliveries?limit=1"));
  return page["deliveries"].empty() ? 0 : page["deliveries"][0].value("id", 0LL);
}

bool waitForBacklog(const AdminTarget& target, const WaitScope& scope, long long requeued, std::chrono::seconds timeout,
                    std::ostream& progress, std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long long total = requeued, shown = -1;
  for (;;) {
    const bool pending = anyQueued(target, scope);
    const auto status = nlohmann::json::parse(target.get("/api/v1/metrics/status"));
    const auto& backlogValue = status["webhooks"]["processing_backlog"];
    const long long backlog = pending && backlogValue.is_number() ? backlogValue.get<long long>() : 0;
    // Deliveries arriving meanwhile join the backlog: the total grows rather than going negative.
    total = std::max(total, backlog);
    const long long processed = total - backlog;
    if (processed != shown) {
      progress << "processed " << processed << " / " << total << "\n" << std::flush;
      shown = processed;
    }
    if (!pending) return true;
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace forgehook::cli
