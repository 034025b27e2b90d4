#pragma once
// Waiting for the pipeline after replay/rebuild: polls GET /api/v1/metrics/status until its
// webhooks.processing_backlog (queued + retrying deliveries) is 0.
#include <chrono>
#include <iosfwd>

namespace forgehook::cli {

class AdminTarget;

// Polls every `interval` and writes "processed X / N" to `progress` whenever X changes, N being
// the larger of `requeued` and the first backlog seen. Returns true once the backlog is 0, false
// when `timeout` passes first (a zero timeout waits without limit). Throws what AdminTarget throws.
[[nodiscard]] bool waitForBacklog(const AdminTarget& target, long long requeued, std::chrono::seconds timeout,
                                  std::ostream& progress,
                                  std::chrono::milliseconds interval = std::chrono::milliseconds(250));

}  // namespace forgehook::cli
