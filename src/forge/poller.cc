#include "forge/poller.h"

#include <algorithm>

#include "forge/hook_manager.h"
#include "forge/polled_event.h"

namespace forgehook::forge {

Poller::Poller(store::ConnectionStore& connections, ClientSource& clients, Append append, const core::Clock& clock,
               const core::Logger& logger, PollerOptions options)
    : connections_(connections),
      clients_(clients),
      append_(std::move(append)),
      clock_(clock),
      logger_(logger),
      options_(options) {}

bool Poller::pollable(const store::Connection& c) {
  if (c.forge != "github" || c.kind != "repository") return false;
  return c.mode == "poll" || c.status != "active" || c.failingSince.has_value();
}

core::Result<PollOutcome> Poller::poll(std::int64_t connectionId) {
  std::lock_guard guard(locks_[connectionId]);
  auto acrossNodes = connections_.lockAcrossNodes("poller", connectionId);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto found = connections_.getConnection(connectionId);
  if (!found) return std::unexpected(found.error());
  store::Connection c = *found;
  if (c.forge != "github" || c.kind != "repository")
    return std::unexpected(core::Error::conflict("not_pollable", "polling is available for GitHub repositories only"));
  auto client = clients_.clientFor(c.forge);
  if (!client) return std::unexpected(client.error());
  const std::int64_t now = clock_.nowMicros() / 1'000'000;
  PollOutcome outcome;
  auto page = (*client)->pollEvents(HookManager::targetOf(c), c.pollEtag.value_or(""));
  c.lastPolledAt = now;
  if (!page) {
    // Try again after the usual interval (the client already waited out rate limits and retried).
    c.nextPollAt = now + std::max<std::int64_t>(c.pollIntervalSeconds.value_or(60), options_.minIntervalSeconds);
    if (c.mode == "poll") {
      c.error = page.error().message;
      c.hint = hintFor(page.error(), c.forge, c.target);
      if (!c.failingSince) c.failingSince = now;
    }
    (void)connections_.updatePollState(c, c.mode == "poll");
    return std::unexpected(page.error());
  }
  outcome.notModified = page->notModified;
  outcome.events = static_cast<std::int64_t>(page->events.size());
  if (!page->notModified) {
    // Oldest first, so the remembered id only moves past events that are committed.
    std::vector<const PolledEvent*> fresh;
    for (const auto& e : page->events)
      if (!c.pollSeenEventId || newerEventId(e.id, *c.pollSeenEventId)) fresh.push_back(&e);
    std::sort(fresh.begin(), fresh.end(), [](const PolledEvent* a, const PolledEvent* b) {
      return newerEventId(b->id, a->id);
    });
    for (const PolledEvent* e : fresh) {
      auto delivery = deliveryFromEvent(*e, options_.compressionLevel, clock_.nowMicros());
      if (delivery && *delivery) {
        if (auto stored = append_(std::move(**delivery)); !stored) {
          (void)connections_.updatePollState(c, false);
          return std::unexpected(stored.error());
        }
        ++outcome.submitted;
      } else if (!delivery) {
        logger_.warn("polled event skipped", {{"connection", c.id}, {"event", e->id}, {"error", delivery.error().message}});
      }
      c.pollSeenEventId = e->id;
    }
    c.pollEtag = page->etag;
  }
  c.pollIntervalSeconds = page->pollIntervalSeconds;
  c.nextPollAt = now + std::max<std::int64_t>(page->pollIntervalSeconds, options_.minIntervalSeconds);
  if (c.mode == "poll") {
    c.error.reset();
    c.hint.reset();
    c.failingSince.reset();
  }
  if (auto saved = connections_.updatePollState(c, c.mode == "poll"); !saved) return std::unexpected(saved.error());
  outcome.nextPollAt = c.nextPollAt;
  if (outcome.submitted > 0)
    logger_.info("polled events", {{"connection", c.id}, {"new", outcome.submitted}});
  return outcome;
}

}  // namespace forgehook::forge
