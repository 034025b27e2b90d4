#include "forge/reconciler.h"

#include <algorithm>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "forge/hook_manager.h"

namespace forgehook::forge {
namespace {

constexpr std::size_t kLookupBatch = 500;

// The GUIDs of `guids` that are stored for the hook, looked up in batches.
core::Result<std::unordered_set<std::string>> storedOf(store::DeliveryLog& log, const store::Connection& c,
                                                       const std::vector<std::string>& guids) {
  std::unordered_set<std::string> stored;
  for (std::size_t i = 0; i < guids.size(); i += kLookupBatch) {
    const auto n = std::min(kLookupBatch, guids.size() - i);
    // GitHub deliveries are stored under the hook's id; GitLab's under a UUID its API never names,
    // but its Idempotency-Key is unique on its own.
    const std::string hook = c.forge == "github" ? *c.hookId : std::string();
    auto found = log.storedDeliveryIds(c.forge, hook, std::span<const std::string>(guids.data() + i, n));
    if (!found) return std::unexpected(found.error());
    stored.insert(found->begin(), found->end());
  }
  return stored;
}

}  // namespace

Reconciler::Reconciler(store::ConnectionStore& connections, store::DeliveryLog& deliveries, ClientSource& clients,
                       const core::Clock& clock, const core::Logger& logger, ReconcilerOptions options)
    : connections_(connections),
      deliveries_(deliveries),
      clients_(clients),
      clock_(clock),
      logger_(logger),
      options_(options) {}

bool Reconciler::reconcilable(const store::Connection& c) {
  // GitHub's hook deliveries; GitLab's hook events (17.3+, resend 17.4+: an older server answers
  // not_supported, recorded in the run). Gitea keeps no delivery log in its API.
  return c.mode == "webhook" && c.hookId.has_value() && (c.forge == "github" || c.forge == "gitlab");
}

core::Result<store::ReconcileRun> Reconciler::reconcile(std::int64_t connectionId, const std::string& trigger) {
  std::lock_guard guard(locks_[connectionId]);
  auto acrossNodes = connections_.lockAcrossNodes("reconciler", connectionId);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto c = connections_.getConnection(connectionId);
  if (!c) return std::unexpected(c.error());
  if (!reconcilable(*c))
    return std::unexpected(core::Error::conflict(
        "not_reconcilable", "connection " + std::to_string(connectionId) +
                                (c->mode != "webhook" ? " is polled: there is no hook delivery log to reconcile with"
                                 : !c->hookId        ? " has no hook at the forge yet"
                                                     : " is on a forge without a hook delivery log (" + c->forge + ")")));
  store::ReconcileRun run;
  run.connectionId = connectionId;
  run.trigger = trigger;
  run.startedAt = clock_.nowMicros() / 1'000'000;
  auto id = connections_.beginRun(connectionId, trigger, run.startedAt);
  if (!id) return std::unexpected(id.error());
  run.id = *id;
  if (auto done = this->run(*c, run); !done) {
    run.error = done.error().message;
    logger_.warn("reconciliation failed", {{"connection", connectionId}, {"error", done.error().message}});
  }
  run.finishedAt = clock_.nowMicros() / 1'000'000;
  if (auto finished = connections_.finishRun(run); !finished) return std::unexpected(finished.error());
  // A run that failed, or that had to give deliveries up, flags the connection until a clean one.
  if (auto fresh = connections_.getConnection(connectionId)) {
    const bool failing = run.error.has_value() || run.givenUp > 0;
    if (failing != fresh->failingSince.has_value())
      (void)connections_.updateFailing(connectionId, failing ? std::optional<std::int64_t>(run.startedAt) : std::nullopt);
  }
  logger_.info("reconciled", {{"connection", connectionId},
                              {"listed", run.listed},
                              {"missing", run.missing},
                              {"requested", run.requested},
                              {"arrived", run.arrived},
                              {"given_up", run.givenUp},
                              {"api_calls", run.apiCalls}});
  return run;
}

core::Result<void> Reconciler::run(const store::Connection& c, store::ReconcileRun& run) {
  auto client = clients_.clientFor(c.forge);
  if (!client) return std::unexpected(client.error());
  const HookTarget target = HookManager::targetOf(c);
  const std::int64_t now = run.startedAt;
  const std::int64_t windowStart = now - options_.windowSeconds;
  std::int64_t stopAt = windowStart;
  auto clean = connections_.lastCleanRun(c.id);
  if (!clean) return std::unexpected(clean.error());
  if (*clean) stopAt = std::max(windowStart, (*clean)->startedAt - options_.overlapSeconds);

  // One pass over the log. Per GUID: the newest entry (to redeliver) and the first attempt's time.
  std::unordered_map<std::string, store::TrackedDelivery> byGuid;
  std::vector<std::string> order;
  std::optional<std::string> cursor;
  while (run.pages < options_.maxPagesPerRun) {
    auto page = (*client)->listDeliveries(target, *c.hookId, cursor);
    ++run.apiCalls;
    if (!page) return std::unexpected(page.error());
    ++run.pages;
    std::int64_t oldest = now;
    for (const auto& d : page->deliveries) {
      oldest = std::min(oldest, d.deliveredAt);
      if (d.deliveredAt < stopAt || d.guid.empty()) continue;
      ++run.listed;
      auto [it, added] = byGuid.try_emplace(d.guid);
      auto& t = it->second;
      if (added) {
        order.push_back(d.guid);
        t.connectionId = c.id;
        t.guid = d.guid;
        t.forgeDeliveryId = d.id;
        t.event = d.event;
        t.action = d.action;
        t.forgeStatusCode = d.statusCode;
      }
      t.deliveredAt = t.deliveredAt == 0 ? d.deliveredAt : std::min(t.deliveredAt, d.deliveredAt);
    }
    if (page->deliveries.empty() || !page->nextCursor || oldest < stopAt) break;
    cursor = page->nextCursor;
  }

  auto stored = storedOf(deliveries_, c, order);
  if (!stored) return std::unexpected(stored.error());
  std::vector<store::TrackedDelivery> absent;
  for (const auto& guid : order)
    if (!stored->contains(guid)) absent.push_back(byGuid[guid]);
  auto added = connections_.trackDeliveries(absent);
  if (!added) return std::unexpected(added.error());
  run.missing = *added;

  // Every open tracked delivery: arrived, given up, or (again) asked for. Those listed in this run
  // were just looked up; only the older ones are looked up again.
  auto open = connections_.openDeliveries(c.id);
  if (!open) return std::unexpected(open.error());
  std::vector<std::string> unlisted;
  for (const auto& t : *open)
    if (!byGuid.contains(t.guid)) unlisted.push_back(t.guid);
  auto arrived = storedOf(deliveries_, c, unlisted);
  if (!arrived) return std::unexpected(arrived.error());
  arrived->insert(stored->begin(), stored->end());
  std::vector<store::TrackedDelivery> changed;
  std::optional<core::Error> stopRequests;
  for (auto t : *open) {
    if (arrived->contains(t.guid)) {
      t.status = "arrived";
      t.arrivedAt = now;
      ++run.arrived;
      changed.push_back(std::move(t));
      continue;
    }
    const bool windowClosed = t.deliveredAt < windowStart;
    const bool waitedEnough = !t.lastRequestedAt || *t.lastRequestedAt <= now - options_.rerequestAfterSeconds;
    if (windowClosed || (t.requests >= options_.maxRequestsPerDelivery && waitedEnough)) {
      t.status = "given_up";
      if (!t.lastError)
        t.lastError = windowClosed ? "the forge's delivery window closed before it arrived"
                                   : "redelivered " + std::to_string(t.requests) + " times without arriving";
      ++run.givenUp;
      changed.push_back(std::move(t));
      continue;
    }
    if (stopRequests || !(t.status == "missing" || waitedEnough)) continue;
    auto asked = (*client)->redeliver(target, *c.hookId, t.forgeDeliveryId);
    ++run.apiCalls;
    if (asked) {
      t.status = "requested";
      ++t.requests;
      t.lastRequestedAt = now;
      t.lastError.reset();
      ++run.requested;
    } else if (asked.error().code == core::Code::NotFound || asked.error().code == core::Code::InvalidArgument) {
      // The forge will not redeliver it (gone from its log, or refused): nothing more can be done.
      t.status = "given_up";
      t.lastError = asked.error().message;
      ++run.givenUp;
    } else {
      // Rate limit or forge trouble: the rest wait for the next run.
      t.lastError = asked.error().message;
      stopRequests = asked.error();
    }
    changed.push_back(std::move(t));
  }
  if (auto saved = connections_.updateTracked(changed); !saved) return std::unexpected(saved.error());
  if (stopRequests) return std::unexpected(*stopRequests);
  return {};
}

}  // namespace forgehook::forge
