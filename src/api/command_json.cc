#include "api/command_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time.h"

namespace forgehook::api {
namespace {

nlohmann::json timeOrNull(const std::optional<std::int64_t>& micros) {
  if (!micros) return nullptr;
  return core::formatRfc3339Seconds(*micros / 1'000'000);
}

template <typename T>
nlohmann::json orNull(const std::optional<T>& value) {
  if (!value) return nullptr;
  return *value;
}

}  // namespace

nlohmann::json commandRunJson(const store::CommandRun& r) {
  nlohmann::json env = nlohmann::json::object();
  for (const auto& [name, value] : r.env) env[name] = value;
  // Only a retry waits for a time of its own; a queued run starts as soon as a slot is free.
  const bool waiting = r.status == "retrying";
  nlohmann::json duration = nullptr;
  // Milliseconds, as the list shows it (round(..., 3) in SQL).
  if (r.startedAt && r.endedAt) duration = std::round(static_cast<double>(*r.endedAt - *r.startedAt) / 1e3) / 1e3;
  return nlohmann::json{
      {"id", r.id},
      {"rule", r.rule},
      {"delivery", r.delivery},
      {"delivery_guid", r.deliveryGuid},
      {"forge", r.forge},
      {"repository", r.repository},
      {"event", r.event},
      {"action", r.action},
      {"status", r.status},
      {"attempt", r.attempt},
      {"max_attempts", r.maxAttempts},
      {"rerun_after_crash", r.crashReruns > 0},
      {"exit_code", orNull(r.exitCode)},
      {"signal", orNull(r.signal)},
      {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
      {"output_bytes", r.output.size()},
      {"output_truncated", r.outputTruncated},
      {"queued_at", timeOrNull(r.queuedAt)},
      {"started_at", timeOrNull(r.startedAt)},
      {"ended_at", timeOrNull(r.endedAt)},
      {"duration_seconds", duration},
      {"next_attempt_at", waiting ? timeOrNull(r.nextAttemptAt) : nlohmann::json(nullptr)},
      {"argv", r.argv},
      {"env", env},
      {"workdir", r.workdir},
      {"payload", r.payloadMode},
      {"output", r.output},
  };
}

}  // namespace forgehook::api
