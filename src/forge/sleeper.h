#pragma once
// How the forge clients wait (rate-limit resets, retry backoff): injected so tests advance a fake
// clock instead of sleeping.
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

namespace forgehook::forge {

// Blocks the calling thread for `ms` milliseconds (or pretends to). Must be thread-safe.
using Sleeper = std::function<void(std::int64_t ms)>;

[[nodiscard]] inline Sleeper realSleeper() {
  return [](std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
}

}  // namespace forgehook::forge
