#include "forge/hook_manager.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/random.h"
#include "forge/default_events.h"

namespace forgehook::forge {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

std::string trimmedSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool sameUrl(const std::string& a, const std::string& b) { return trimmedSlash(a) == trimmedSlash(b); }

core::Error invalid(std::string message) {
  return core::Error::invalidArgument("invalid_connection", std::move(message));
}

core::Result<void> checkTarget(const ConnectRequest& r) {
  if (!core::parseForge(r.forge))
    return std::unexpected(
        invalid("forge must be one of " + std::string(core::knownForgesText()) + " (got \"" + r.forge + "\")"));
  if (r.kind != "repository" && r.kind != "organization")
    return std::unexpected(invalid("kind must be repository or organization"));
  const auto& t = r.target;
  const bool badChar = std::any_of(t.begin(), t.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/');
  });
  if (t.empty() || t.size() > 255 || badChar || t.front() == '/' || t.back() == '/' ||
      t.find("//") != std::string::npos || t.find("..") != std::string::npos)
    return std::unexpected(invalid("\"" + t + "\" is not a " + r.kind + " name"));
  const auto slashes = std::count(t.begin(), t.end(), '/');
  if (r.kind == "organization" && slashes != 0)
    return std::unexpected(invalid("an organization is one name without \"/\" (got \"" + t + "\")"));
  // GitLab projects may sit in nested groups (group/subgroup/project); the others are owner/name.
  if (r.kind == "repository" && (slashes < 1 || (r.forge != "gitlab" && slashes != 1)))
    return std::unexpected(invalid("a repository is OWNER/NAME (got \"" + t + "\")"));
  if (r.mode && *r.mode != "webhook" && *r.mode != "poll")
    return std::unexpected(invalid("mode must be webhook or poll (got \"" + *r.mode + "\")"));
  if (r.mode && *r.mode == "poll" && (r.forge != "github" || r.kind != "repository"))
    return std::unexpected(invalid("polling is available for GitHub repositories only"));
  if (r.events) {
    if (r.events->empty()) return std::unexpected(invalid("events must name at least one event"));
    for (const auto& e : *r.events)
      if (e.empty() || e.size() > 100 || !std::all_of(e.begin(), e.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || c == '_' || c == '*';
          }))
        return std::unexpected(invalid("\"" + e + "\" is not an event name"));
  }
  return {};
}

HookSpec specOf(const store::Connection& c) { return {c.url, c.secret, c.events}; }

// A hook secret: 32 random bytes as hex, accepted by every forge (GitLab tokens included).
std::string newSecret() { return core::randomHex(32); }

}  // namespace

core::Result<std::string> hookUrlFor(const std::string& publicUrl, const std::string& forge) {
  const std::string base = trimmedSlash(publicUrl);
  if (!(base.starts_with("https://") || base.starts_with("http://")) ||
      base.find_first_of(" \t\r\n\"<>\\^`{|}") != std::string::npos)
    return std::unexpected(invalid("the public URL must start with https:// or http:// (got \"" + publicUrl + "\")"));
  const std::string suffix = "/webhooks/" + forge;
  if (base.ends_with(suffix)) return base;
  if (base.find("/webhooks/") != std::string::npos)
    return std::unexpected(invalid("the public URL names another forge's endpoint: " + base));
  return base + suffix;
}

std::string hintFor(const core::Error& error, const std::string& forge, const std::string& target) {
  const bool github = forge == "github";
  switch (error.code) {
    case core::Code::Unauthenticated:
      return "the forge refused the credential: store a valid one with `forgehook credentials set " + forge + "`";
    case core::Code::Forbidden:
    case core::Code::NotFound:
      if (error.reason == "no_credential")
        return "store one with `forgehook credentials set " + forge + " --token-stdin`" +
               (github ? " (or a GitHub App: --app-id and --private-key-file)" : "");
      if (github)
        return "the token cannot manage hooks of " + target +
               ": a classic token needs admin:repo_hook (admin:org_hook for an organization), a fine-grained "
               "token or GitHub App the Webhooks permission (read and write); GitHub answers 404 when it may not "
               "even see the repository";
      if (forge == "gitlab") return "the token needs the api scope and the Maintainer role on " + target;
      return "the token needs admin rights on " + target;
    case core::Code::InvalidArgument:
      if (error.message.find("localhost") != std::string::npos || error.message.find("url") != std::string::npos ||
          error.message.find("URL") != std::string::npos)
        return "the forge refused the hook URL: it must be an address the forge can reach (a tunnel or reverse "
               "proxy in front of forgehook, see docs/FORGES.md), never localhost";
      return "the forge refused the request; see the error";
    case core::Code::RateLimited:
      return "the credential's API rate limit is spent; forgehook tries again after the reset";
    case core::Code::Unavailable:
      return "the forge did not answer; forgehook tries again at the next check";
    default:
      return "";
  }
}

HookManager::HookManager(store::ConnectionStore& connections, store::DeliveryLog& deliveries, ClientSource& clients,
                         const core::Clock& clock, const core::Logger& logger, HookManagerOptions options,
                         std::function<void()> secretsChanged,
                         std::function<core::Result<int>(const std::string&)> probeUrl)
    : connections_(connections),
      deliveries_(deliveries),
      clients_(clients),
      clock_(clock),
      logger_(logger),
      options_(std::move(options)),
      secretsChanged_(std::move(secretsChanged)),
      probeUrl_(std::move(probeUrl)) {}

HookTarget HookManager::targetOf(const store::Connection& c) {
  return {c.kind == "organization" ? HookTarget::Kind::Organization : HookTarget::Kind::Repository, c.target};
}

void HookManager::markFailed(store::Connection& c, const core::Error& error, const std::string& hint) {
  c.status = "failed";
  c.error = error.message;
  c.hint = hint.empty() ? hintFor(error, c.forge, c.target) : hint;
  if (!c.failingSince) c.failingSince = clock_.nowMicros() / kMicrosPerSecond;
  logger_.warn("forge connection failed",
               {{"connection", c.id}, {"target", c.target}, {"forge", c.forge}, {"error", error.message}});
}

core::Result<ConnectOutcome> HookManager::connect(const ConnectRequest& request) {
  if (auto ok = checkTarget(request); !ok) return std::unexpected(ok.error());
  const std::int64_t now = clock_.nowMicros() / kMicrosPerSecond;
  auto existing = connections_.findConnection(request.forge, request.kind, request.target);
  if (!existing) return std::unexpected(existing.error());
  store::Connection c;
  const bool wasPolled = *existing && (*existing)->mode == "poll";
  if (*existing) {
    c = **existing;
    if (request.secret && *request.secret != c.secret)
      return std::unexpected(core::Error::conflict(
          "connection_exists", c.target + " is connected already (connection " + std::to_string(c.id) +
                                   "): change its secret with POST /api/v1/connections/" + std::to_string(c.id) +
                                   "/rotate-secret, which keeps the old one valid meanwhile"));
  } else {
    c.forge = request.forge;
    c.kind = request.kind;
    c.target = request.target;
    c.events = defaultHookEvents(request.forge);
    c.secret = request.secret.value_or(newSecret());
    c.createdAt = now;
  }
  if (request.mode) c.mode = *request.mode;
  if (request.events) c.events = *request.events;
  const std::string publicUrl = request.publicUrl.value_or(options_.publicUrl);
  if (!publicUrl.empty()) {
    auto url = hookUrlFor(publicUrl, request.forge);
    if (!url) return std::unexpected(url.error());
    c.url = *url;
  }
  c.updatedAt = now;
  if (!*existing) {
    auto created = connections_.createConnection(c);
    if (!created) return std::unexpected(created.error());
    c = *created;
    logger_.info("forge connection created", {{"connection", c.id}, {"forge", c.forge}, {"target", c.target}});
  }
  std::lock_guard guard(locks_[c.id]);
  auto acrossNodes = connections_.lockAcrossNodes("hooks", c.id);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto made = ensureHook(std::move(c));
  if (!made) return std::unexpected(made.error());
  const bool switched = wasPolled && made->mode == "webhook" && made->status == "active";
  return ConnectOutcome{std::move(*made), !*existing, switched};
}

core::Result<store::Connection> HookManager::recheck(std::int64_t id) {
  std::lock_guard guard(locks_[id]);
  auto acrossNodes = connections_.lockAcrossNodes("hooks", id);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto c = connections_.getConnection(id);
  if (!c) return std::unexpected(c.error());
  return ensureHook(std::move(*c));
}

core::Result<store::Connection> HookManager::ensureHook(store::Connection c) {
  const std::int64_t now = clock_.nowMicros() / kMicrosPerSecond;
  c.updatedAt = now;
  c.checkedAt = now;
  auto save = [&]() -> core::Result<store::Connection> {
    if (auto saved = connections_.updateConnection(c); !saved) return std::unexpected(saved.error());
    secretsChanged_();
    return c;
  };
  if (c.mode == "poll") {
    // A polled connection needs no hook; one forgehook made earlier is left to a disconnect.
    c.status = "polling";
    c.error.reset();
    c.hint.reset();
    c.failingSince.reset();
    return save();
  }
  // The secret is accepted before the forge knows it: GitHub pings a new hook at once.
  if (auto saved = connections_.updateConnection(c); !saved) return std::unexpected(saved.error());
  secretsChanged_();
  if (c.url.empty()) {
    markFailed(c, invalid("no public URL: the forge needs an address to deliver to"),
               "connect again with --url https://... (the address the forge reaches forgehook at, e.g. a tunnel or "
               "reverse proxy) or set forges.public_url; until then forgehook polls where the forge allows it");
    return save();
  }
  auto client = clients_.clientFor(c.forge);
  if (!client) {
    markFailed(c, client.error(), "");
    return save();
  }
  const HookTarget target = targetOf(c);
  const HookSpec spec = specOf(c);
  std::optional<ForgeHook> hook;
  if (c.hookId) {
    auto updated = (*client)->updateHook(target, *c.hookId, spec);
    if (updated) {
      hook = *updated;
    } else if (updated.error().code != core::Code::NotFound) {
      markFailed(c, updated.error(), "");
      return save();
    } else {
      logger_.warn("hook gone at the forge; making it again", {{"connection", c.id}, {"hook_id", *c.hookId}});
      c.hookId.reset();
    }
  }
  if (!hook) {
    // A hook for the same URL (made by hand, or by an earlier forgehook) is adopted, not duplicated.
    auto listed = (*client)->listHooks(target);
    if (!listed) {
      markFailed(c, listed.error(), "");
      return save();
    }
    const auto same =
        std::find_if(listed->begin(), listed->end(), [&](const ForgeHook& h) { return sameUrl(h.url, c.url); });
    if (same != listed->end()) {
      auto adopted = (*client)->updateHook(target, same->id, spec);
      if (!adopted) {
        markFailed(c, adopted.error(), "");
        return save();
      }
      hook = *adopted;
      c.adopted = true;
      logger_.info("existing hook adopted", {{"connection", c.id}, {"hook_id", hook->id}});
    } else {
      auto created = (*client)->createHook(target, spec);
      if (!created) {
        markFailed(c, created.error(), "");
        return save();
      }
      hook = *created;
      logger_.info("hook created", {{"connection", c.id}, {"hook_id", hook->id}});
    }
  }
  c.hookId = hook->id;
  c.status = hook->active ? "active" : "disabled";
  c.error.reset();
  c.hint.reset();
  if (!hook->active) c.hint = "the forge reports the hook inactive; connect again to re-enable it";
  c.failingSince.reset();
  return save();
}

core::Result<store::Connection> HookManager::disconnect(std::int64_t id) {
  std::lock_guard guard(locks_[id]);
  auto acrossNodes = connections_.lockAcrossNodes("hooks", id);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto c = connections_.getConnection(id);
  if (!c) return std::unexpected(c.error());
  if (c->hookId) {
    auto client = clients_.clientFor(c->forge);
    if (!client) return std::unexpected(client.error());
    auto deleted = (*client)->deleteHook(targetOf(*c), *c->hookId);
    if (!deleted && deleted.error().code != core::Code::NotFound) return std::unexpected(deleted.error());
  }
  if (auto removed = connections_.deleteConnection(id); !removed) return std::unexpected(removed.error());
  secretsChanged_();
  logger_.info("forge connection removed", {{"connection", id}, {"target", c->target}});
  c->status = "disconnected";
  return *c;
}

core::Result<store::Connection> HookManager::rotateSecret(std::int64_t id) {
  std::lock_guard guard(locks_[id]);
  auto acrossNodes = connections_.lockAcrossNodes("hooks", id);
  if (!acrossNodes) return std::unexpected(acrossNodes.error());
  auto found = connections_.getConnection(id);
  if (!found) return std::unexpected(found.error());
  store::Connection c = *found;
  if (!c.hookId)
    return std::unexpected(core::Error::conflict(
        "no_hook", "connection " + std::to_string(id) + " has no hook at the forge yet; connect it first"));
  auto client = clients_.clientFor(c.forge);
  if (!client) return std::unexpected(client.error());
  const std::int64_t now = clock_.nowMicros() / kMicrosPerSecond;
  // Both secrets are accepted before the forge switches, so no delivery in flight is refused.
  const store::Connection before = c;
  c.previousSecret = c.secret;
  c.previousSecretUntil = now + options_.secretGraceSeconds;
  c.secret = newSecret();
  c.updatedAt = now;
  if (auto saved = connections_.updateConnection(c); !saved) return std::unexpected(saved.error());
  secretsChanged_();
  auto updated = (*client)->updateHook(targetOf(c), *c.hookId, specOf(c));
  if (!updated) {
    if (auto restored = connections_.updateConnection(before); !restored)
      logger_.error("cannot restore a connection after a failed rotation", {{"connection", id}});
    secretsChanged_();
    return std::unexpected(updated.error());
  }
  logger_.info("hook secret rotated", {{"connection", id}, {"grace_s", options_.secretGraceSeconds}});
  return c;
}

core::Result<PingReport> HookManager::ping(std::int64_t id) {
  auto c = connections_.getConnection(id);
  if (!c) return std::unexpected(c.error());
  if (!c->hookId)
    return std::unexpected(core::Error::conflict(
        "no_hook", "connection " + std::to_string(id) + " has no hook at the forge yet; connect it first"));
  auto client = clients_.clientFor(c->forge);
  if (!client) return std::unexpected(client.error());
  PingReport report;
  report.requestedAt = clock_.nowMicros();
  if (auto sent = (*client)->pingHook(targetOf(*c), *c->hookId); !sent) return std::unexpected(sent.error());
  // GitHub sends `ping` with the hook's id; GitLab and Gitea send a test push for the repository.
  store::DeliveryFilter filter;
  filter.forge = c->forge;
  filter.sinceMicros = report.requestedAt;
  if (c->forge == "github")
    filter.event = "ping";
  else if (c->kind == "repository")
    filter.repository = c->target;
  filter.limit = 20;
  const auto deadline = report.requestedAt + options_.pingTimeoutMs * 1000;
  while (true) {
    auto page = deliveries_.listDeliveries(filter);
    if (!page) return std::unexpected(page.error());
    for (const auto& d : page->deliveries) {
      if (c->forge == "github" && d.hookId != *c->hookId) continue;
      report.arrived = true;
      report.arrivedAt = d.receivedAt;
      report.roundTripMs = (d.receivedAt - report.requestedAt) / 1000;
      report.deliveryId = d.id;
    }
    if (report.arrived || clock_.nowMicros() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return report;
}

core::Result<ForgeHook> HookManager::forgeHook(const store::Connection& c) {
  if (!c.hookId)
    return std::unexpected(
        core::Error::conflict("no_hook", "connection " + std::to_string(c.id) + " has no hook at the forge"));
  auto client = clients_.clientFor(c.forge);
  if (!client) return std::unexpected(client.error());
  return (*client)->getHook(targetOf(c), *c.hookId);
}

core::Result<TestReport> HookManager::test(std::int64_t id) {
  auto c = connections_.getConnection(id);
  if (!c) return std::unexpected(c.error());
  TestReport report;
  report.url = c->url;
  if (c->url.empty()) {
    report.publicUrl.detail = "no public URL is set for this connection";
  } else {
    // forgehook's own health route behind the public address: proves the tunnel or proxy reaches us.
    const std::string base = c->url.substr(0, c->url.rfind("/webhooks/"));
    auto status = probeUrl_(base + "/healthz");
    if (status) {
      report.publicUrl.status = *status;
      report.publicUrl.reachable = *status == 200;
      report.publicUrl.detail = *status == 200 ? "forgehook answered through the public URL"
                                               : "the public URL answered " + std::to_string(*status) +
                                                     ", not forgehook's 200: check the proxy's route";
    } else {
      report.publicUrl.detail = "the public URL cannot be reached from here: " + status.error().message;
    }
  }
  auto client = clients_.clientFor(c->forge);
  if (!client) {
    report.accessError = client.error().message;
    return report;
  }
  const HookTarget target = targetOf(*c);
  if (auto access = (*client)->checkAccess(target))
    report.access = *access;
  else
    report.accessError = access.error().message;
  if (c->hookId) {
    if (auto hook = (*client)->getHook(target, *c->hookId))
      report.hook = *hook;
    else
      report.hookError = hook.error().message;
  } else {
    report.hookError = "no hook at the forge yet";
  }
  return report;
}

std::int64_t HookManager::expireGracePeriods(const std::vector<store::Connection>& connections) {
  const std::int64_t now = clock_.nowMicros() / kMicrosPerSecond;
  std::int64_t expired = 0;
  for (const auto& listed : connections) {
    if (!listed.previousSecret || !listed.previousSecretUntil || *listed.previousSecretUntil > now) continue;
    std::lock_guard guard(locks_[listed.id]);
    auto acrossNodes = connections_.lockAcrossNodes("hooks", listed.id);
    if (!acrossNodes) continue;  // tried again at the next pass
    auto c = connections_.getConnection(listed.id);  // again under the lock: a rotation may have run
    if (!c || !c->previousSecretUntil || *c->previousSecretUntil > now) continue;
    c->previousSecret.reset();
    c->previousSecretUntil.reset();
    if (connections_.updateConnection(*c)) ++expired;
  }
  if (expired > 0) secretsChanged_();
  return expired;
}

}  // namespace forgehook::forge
