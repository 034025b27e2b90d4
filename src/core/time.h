#pragma once
// Time as Unix microseconds, an injectable clock, and the RFC 3339 text the API speaks.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forgehook::core {

// Source of the current time. Injected everywhere time matters so tests never sleep.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::int64_t nowMicros() const = 0;
  [[nodiscard]] std::int64_t nowSeconds() const { return nowMicros() / 1'000'000; }
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t nowMicros() const override;
};

// "2026-11-23T10:00:00.123456Z"
[[nodiscard]] std::string formatRfc3339(std::int64_t unixMicros);
// Whole seconds, as the API writes times kept in seconds: "2026-11-23T10:00:00Z"
[[nodiscard]] std::string formatRfc3339Seconds(std::int64_t unixSeconds);

// Accepts RFC 3339 ("2026-11-23T10:00:00Z", optional fraction, "Z" or ±hh:mm) or integer Unix
// seconds. Returns Unix microseconds, or nothing when the text is neither.
[[nodiscard]] std::optional<std::int64_t> parseTimestamp(std::string_view text);

}  // namespace forgehook::core
