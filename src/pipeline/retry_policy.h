#pragma once
// When a failed delivery is tried again: exponential backoff with jitter, then the dead letter.
// The jitter source is injected so tests can pin it. Thread-safe when the jitter source is.
#include <cstdint>
#include <functional>
#include <optional>

namespace forgehook::pipeline {

struct RetryPolicy {
  int maxAttempts = 5;  // processing attempts in all, the first included
  std::int64_t baseDelayMicros = 1'000'000;
  std::int64_t maxDelayMicros = 300'000'000;
  // Returns a value in [0, 1). Default: a thread-local PRNG.
  std::function<double()> jitter;

  // The time of the next attempt after `attemptsDone` failed ones, or nothing when the delivery
  // goes to the dead letter. Delay n is base * 2^(n-1), capped, then scaled into [delay/2, delay).
  [[nodiscard]] std::optional<std::int64_t> nextAttemptAt(std::int64_t attemptsDone, std::int64_t nowMicros) const;
};

}  // namespace forgehook::pipeline
