#include "api/stream_tickets.h"

#include <algorithm>

#include "core/random.h"

namespace forgehook::api {

void StreamTickets::dropExpired(std::int64_t nowMicros) {
  std::erase_if(tickets_, [nowMicros](const auto& entry) { return entry.second.expiresAtMicros <= nowMicros; });
}

core::Result<StreamTickets::Ticket> StreamTickets::issue(const Principal& principal) {
  const auto now = clock_.nowMicros();
  Ticket ticket{"fhs_" + core::randomHex(32), now + ttlMicros_};
  std::lock_guard lock(mutex_);
  if (tickets_.size() >= maxOutstanding_) dropExpired(now);
  if (tickets_.size() >= maxOutstanding_)
    return std::unexpected(
        core::Error::rateLimited("too many stream tickets waiting to be used",
                                 static_cast<int>(std::max<std::int64_t>(1, ttlMicros_ / 1'000'000))));
  tickets_.emplace(ticket.text, Entry{principal, ticket.expiresAtMicros});
  return ticket;
}

std::optional<Principal> StreamTickets::redeem(std::string_view ticket) {
  const auto now = clock_.nowMicros();
  std::lock_guard lock(mutex_);
  const auto it = tickets_.find(std::string(ticket));
  if (it == tickets_.end()) return std::nullopt;
  // Presented once, used up, whether it was still valid or not.
  Entry entry = std::move(it->second);
  tickets_.erase(it);
  if (entry.expiresAtMicros <= now) return std::nullopt;
  return entry.principal;
}

void StreamTickets::dropTokenTickets(std::int64_t tokenId) {
  std::lock_guard lock(mutex_);
  std::erase_if(tickets_, [tokenId](const auto& entry) {
    return !entry.second.principal.isAdmin() && entry.second.principal.tokenId == tokenId;
  });
}

}  // namespace forgehook::api
