#pragma once
// The commands of [[rules]] as a durable queue: a run is made with the processing of its delivery
// (store/processing_queue.h, ProcessedDelivery::commands), claimed before its process starts and
// finished with the process's end, so a crash between the two is seen at the next start. The
// scheduler (pipeline/command_scheduler.h) is its only writer besides processing. Implementations
// are thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace forgehook::store {

// What processing queues for one matched rule (written with the delivery's "processed" status).
struct NewCommandRun {
  std::string rule;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // the rule's env, resolved (no pass_env values)
  std::string workdir;
  std::string payloadMode;  // "stdin" | "file" | "none"
  std::int64_t maxAttempts = 1;
  std::string error;  // set: the command cannot be built (a template); the run is recorded failed, nothing runs
};

struct CommandRun {
  std::int64_t id = 0, delivery = 0;
  std::string rule, deliveryGuid, forge, repository, event, action, status;
  std::int64_t attempt = 0, maxAttempts = 1, crashReruns = 0;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir, payloadMode;
  std::int64_t queuedAt = 0, nextAttemptAt = 0;  // Unix microseconds
  std::optional<std::int64_t> startedAt, endedAt, exitCode, signal;
  std::string error, output;
  bool outputTruncated = false;
};

// How one attempt ended.
struct CommandOutcome {
  std::int64_t id = 0;
  std::string status;  // "succeeded" | "failed" | "timed_out"
  std::optional<std::int64_t> exitCode, signal;
  std::string error, output;
  bool outputTruncated = false;
  std::optional<std::int64_t> retryAt;  // a failed attempt to be tried again then: "retrying"
};

struct CrashRecovery {
  std::int64_t requeued = 0;  // found running, queued once more (crash_reruns becomes 1)
  std::int64_t givenUp = 0;   // found running after their re-run: "interrupted", not run again
};

class CommandRunStore {
 public:
  virtual ~CommandRunStore() = default;
  // Up to `max` runs due at `nowMicros` (queued, or retrying and past their time), oldest first,
  // skipping the rules in `busy` (at their concurrency limit). Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<CommandRun>> due(int max, std::int64_t nowMicros,
                                                                  const std::vector<std::string>& busy) = 0;
  // Claims due runs before their processes start, in one write: each becomes "running", attempt + 1,
  // started_at. Returns the ids claimed (those still due), in the order given. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<std::int64_t>> start(const std::vector<std::int64_t>& ids,
                                                                      std::int64_t nowMicros) = 0;
  // One run: true when it was claimed.
  [[nodiscard]] core::Result<bool> start(std::int64_t id, std::int64_t nowMicros) {
    auto claimed = start(std::vector<std::int64_t>{id}, nowMicros);
    if (!claimed) return std::unexpected(claimed.error());
    return !claimed->empty();
  }
  // Records the end of a running attempt. Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> finish(const CommandOutcome& outcome, std::int64_t nowMicros) = 0;
  // A graceful stop killed the attempt: it goes back to queued as if it never started.
  [[nodiscard]] virtual core::Result<void> release(std::int64_t id, std::int64_t nowMicros) = 0;
  // At start, before anything runs: runs still "running" were cut off by a crash of forgehook.
  // Each is queued once more (its next attempt says rerun_after_crash); one cut off again is
  // "interrupted" and stays so. With several nodes (PostgreSQL), called again whenever a node
  // starts running commands: it takes only the runs of nodes that are gone, and its own at the
  // first call. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<CrashRecovery> recoverInterrupted(std::int64_t nowMicros) = 0;
  // Errors: NotFound "command_not_found"; Unavailable.
  [[nodiscard]] virtual core::Result<CommandRun> get(std::int64_t id) = 0;
  // Queues a finished run again with `attempts` more attempts (the rule's budget). Errors: NotFound;
  // Conflict "command_not_finished" while it is queued, retrying or running; Unavailable.
  [[nodiscard]] virtual core::Result<CommandRun> rerun(std::int64_t id, std::int64_t attempts,
                                                       std::int64_t nowMicros) = 0;
};

}  // namespace forgehook::store
