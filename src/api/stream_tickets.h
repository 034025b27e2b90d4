#pragma once
// Single-use tickets for opening a stream from a browser, which cannot set an Authorization header
// on a WebSocket: an authenticated caller asks for one (POST /api/v1/stream/tickets) and puts it in
// the stream's URL (?ticket=), where it works once, within its time to live, and never again.
// Kept in memory: they live seconds, and a restart only makes a client ask for another. Bounded:
// at most `maxOutstanding` unexpired tickets. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/principal.h"
#include "core/error.h"
#include "core/time.h"

namespace forgehook::api {

class StreamTickets {
 public:
  static constexpr std::int64_t kDefaultTtlMicros = 30'000'000;
  static constexpr std::size_t kDefaultMaxOutstanding = 10'000;

  explicit StreamTickets(const core::Clock& clock, std::int64_t ttlMicros = kDefaultTtlMicros,
                         std::size_t maxOutstanding = kDefaultMaxOutstanding)
      : clock_(clock), ttlMicros_(ttlMicros), maxOutstanding_(maxOutstanding) {}

  struct Ticket {
    std::string text;  // "fhs_" + 64 hex digits
    std::int64_t expiresAtMicros = 0;
  };

  // A new ticket for `principal`. Errors: RateLimited "rate_limited" when `maxOutstanding` unexpired
  // tickets are waiting (Retry-After: the time to live).
  [[nodiscard]] core::Result<Ticket> issue(const Principal& principal);
  // The principal a ticket was issued to, the first time it is presented before it expires; nothing
  // otherwise (unknown, expired, or already redeemed).
  [[nodiscard]] std::optional<Principal> redeem(std::string_view ticket);
  // Forgets the unredeemed tickets of API token `tokenId` (it was revoked).
  void dropTokenTickets(std::int64_t tokenId);

 private:
  struct Entry {
    Principal principal;
    std::int64_t expiresAtMicros;
  };
  void dropExpired(std::int64_t nowMicros);  // requires mutex_

  const core::Clock& clock_;
  const std::int64_t ttlMicros_;
  const std::size_t maxOutstanding_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> tickets_;  // guarded by mutex_
};

}  // namespace forgehook::api
