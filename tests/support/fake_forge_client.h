#pragma once
// A scripted forge for the hook manager, reconciler and poller tests: hooks, a delivery log with
// cursor pages, redelivery requests, an events feed with ETags, and errors injected per operation.
// Counts every call, so tests can assert what a run cost. Thread-safe enough for one test thread.
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "forge/client_source.h"
#include "forge/forge_client.h"

namespace forgehook::testing {

class FakeForgeClient final : public forge::ForgeClient {
 public:
  core::Forge forge() const override { return core::Forge::GitHub; }

  // The hooks of `target` (a hook put in `hooks` by a test without a target belongs to every one).
  core::Result<std::vector<forge::ForgeHook>> listHooks(const forge::HookTarget& target) override {
    ++calls["listHooks"];
    if (auto e = injected("listHooks")) return std::unexpected(*e);
    std::vector<forge::ForgeHook> out;
    for (const auto& [id, h] : hooks)
      if (!targets.contains(id) || targets[id] == target.path) out.push_back(h);
    return out;
  }
  core::Result<forge::ForgeHook> getHook(const forge::HookTarget&, const std::string& id) override {
    ++calls["getHook"];
    if (auto e = injected("getHook")) return std::unexpected(*e);
    if (!hooks.contains(id)) return std::unexpected(notFound());
    return hooks[id];
  }
  core::Result<forge::ForgeHook> createHook(const forge::HookTarget& target, const forge::HookSpec& spec) override {
    ++calls["createHook"];
    if (auto e = injected("createHook")) return std::unexpected(*e);
    forge::ForgeHook h{std::to_string(nextHookId++), spec.url, spec.events, true, "json", {}};
    hooks[h.id] = h;
    secrets[h.id] = spec.secret;
    targets[h.id] = target.path;
    return h;
  }
  core::Result<forge::ForgeHook> updateHook(const forge::HookTarget&, const std::string& id,
                                            const forge::HookSpec& spec) override {
    ++calls["updateHook"];
    if (auto e = injected("updateHook")) return std::unexpected(*e);
    if (!hooks.contains(id)) return std::unexpected(notFound());
    auto& h = hooks[id];
    h.url = spec.url;
    h.events = spec.events;
    h.active = true;
    h.contentType = "json";
    secrets[id] = spec.secret;
    return h;
  }
  core::Result<void> deleteHook(const forge::HookTarget&, const std::string& id) override {
    ++calls["deleteHook"];
    if (auto e = injected("deleteHook")) return std::unexpected(*e);
    if (hooks.erase(id) == 0) return std::unexpected(notFound());
    return {};
  }
  core::Result<void> pingHook(const forge::HookTarget&, const std::string&) override {
    ++calls["pingHook"];
    if (auto e = injected("pingHook")) return std::unexpected(*e);
    return {};
  }
  core::Result<forge::AccessReport> checkAccess(const forge::HookTarget&) override {
    ++calls["checkAccess"];
    return forge::AccessReport{true, true, "token", {"admin:repo_hook"}, ""};
  }
  // Pages of `pageSize`, newest first; the cursor is the index of the page's first entry.
  core::Result<forge::DeliveryLogPage> listDeliveries(const forge::HookTarget&, const std::string&,
                                                      const std::optional<std::string>& cursor) override {
    ++calls["listDeliveries"];
    if (auto e = injected("listDeliveries")) return std::unexpected(*e);
    const std::size_t start = cursor ? std::stoul(*cursor) : 0;
    forge::DeliveryLogPage page;
    for (std::size_t i = start; i < log.size() && i < start + pageSize; ++i) page.deliveries.push_back(log[i]);
    if (start + pageSize < log.size()) page.nextCursor = std::to_string(start + pageSize);
    return page;
  }
  core::Result<void> redeliver(const forge::HookTarget&, const std::string&, const std::string& id) override {
    ++calls["redeliver"];
    if (auto e = injected("redeliver")) return std::unexpected(*e);
    redelivered.push_back(id);
    return {};
  }
  core::Result<forge::EventsPage> pollEvents(const forge::HookTarget&, const std::string& etag) override {
    ++calls["pollEvents"];
    if (auto e = injected("pollEvents")) return std::unexpected(*e);
    forge::EventsPage page;
    page.etag = "\"v" + std::to_string(eventsVersion) + "\"";
    page.pollIntervalSeconds = pollInterval;
    if (etag == page.etag) {
      page.notModified = true;
      return page;
    }
    page.events = events;  // newest first, as GitHub sends them
    return page;
  }
  std::vector<forge::RateBudgetView> budgets() const override { return {}; }

  // Makes the next call of `operation` fail with `error` (`times` times).
  void failNext(const std::string& operation, core::Error error, int times = 1) {
    for (int i = 0; i < times; ++i) errors[operation].push_back(error);
  }
  // Prepends a log entry (the log is newest first).
  void logDelivery(forge::ForgeDelivery d) { log.insert(log.begin(), std::move(d)); }

  std::map<std::string, forge::ForgeHook> hooks;
  std::map<std::string, std::string> secrets, targets;  // by hook id
  std::vector<forge::ForgeDelivery> log;
  std::vector<std::string> redelivered;
  std::vector<forge::PolledEvent> events;
  int eventsVersion = 1;
  int pollInterval = 60;
  std::size_t pageSize = 100;
  int nextHookId = 1000;
  std::map<std::string, int> calls;

 private:
  static core::Error notFound() {
    core::Error e = core::Error::notFound("Not Found");
    e.reason = "forge_not_found";
    return e;
  }
  std::optional<core::Error> injected(const std::string& operation) {
    auto& queue = errors[operation];
    if (queue.empty()) return std::nullopt;
    auto e = queue.front();
    queue.pop_front();
    return e;
  }
  std::map<std::string, std::deque<core::Error>> errors;
};

// Hands out one fake client (or a "no credential" error when `client` is null).
class FakeClientSource final : public forge::ClientSource {
 public:
  core::Result<std::shared_ptr<forge::ForgeClient>> clientFor(const std::string& forge) override {
    if (!client) {
      core::Error e = core::Error::notFound("no credential for " + forge);
      e.reason = "no_credential";
      return std::unexpected(e);
    }
    return std::static_pointer_cast<forge::ForgeClient>(client);
  }
  std::shared_ptr<FakeForgeClient> client = std::make_shared<FakeForgeClient>();
};

}  // namespace forgehook::testing
