#pragma once
// Waiting for the pipeline after replay/rebuild: until none of the deliveries queued again is still
// queued. Which ones is a WaitScope: deliveries matching the replay's filters that were stored
// before it (so deliveries arriving meanwhile, or retrying elsewhere, do not keep it waiting), or
// one delivery by id. Progress shows the server's processing backlog.
#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>

namespace forgehook::cli {

class AdminTarget;

struct WaitScope {
  std::optional<long long> deliveryId;         // one delivery
  std::map<std::string, std::string> filters;  // else: deliveries list filters (forge, event, ...)
  long long newestIdBefore = 0;                // and stored no later than this id (read before the replay)
};

// The newest stored delivery's id (0 when none): read before a replay, for its WaitScope.
[[nodiscard]] long long newestDeliveryId(const AdminTarget& target);

// Polls every `interval`, writing "processed X / N" to `progress` whenever X changes (N: the larger of
// `requeued` and the first backlog seen). Returns true once nothing of `scope` is queued, false when
// `timeout` passes first (a zero timeout waits without limit). Throws what AdminTarget throws.
[[nodiscard]] bool waitForBacklog(const AdminTarget& target, const WaitScope& scope, long long requeued,
                                  std::chrono::seconds timeout, std::ostream& progress,
                                  std::chrono::milliseconds interval = std::chrono::milliseconds(250));

}  // namespace forgehook::cli
