#pragma once
// What forgehook asks of a forge's REST API: manage one repository's or organisation's webhooks,
// read the forge's own log of their deliveries and ask for redeliveries, and poll recent events when
// webhooks cannot reach forgehook. One implementation per forge (GitHub, GitLab, Gitea); the hook
// manager, the reconciler and the poller are written against this interface only, so tests can
// drive them with a scripted client. Implementations are thread-safe.
//
// Errors (core::Error, reason in quotes), so callers can tell the user what to do:
//   Unauthenticated "forge_unauthorized"  the credential was refused (401)
//   Forbidden       "forge_forbidden"     the credential lacks a permission; message names it
//   NotFound        "forge_not_found"     no such repository/hook, or (GitHub) no right to see it
//   InvalidArgument "forge_rejected"      the forge refused the request (422/400), with its message
//   RateLimited     "forge_rate_limited"  the budget is spent and the reset is too far to wait for
//   Unavailable     "forge_unavailable"   5xx, timeouts, refused connections, after the retries
//   InvalidArgument "not_supported"       this forge (or server version) has no such API
// An error's `message` never holds a token, a secret or an Authorization header.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/forge.h"

namespace forgehook::forge {

// Where a hook lives: a repository ("owner/name"; a GitLab path may have more slashes) or an
// organisation / GitLab group ("owner").
struct HookTarget {
  enum class Kind { Repository, Organization };
  Kind kind = Kind::Repository;
  std::string path;  // "owner/name" or "org"
};

// What forgehook wants a hook to be. Hooks are always JSON and always active.
struct HookSpec {
  std::string url;                  // where the forge delivers: forgehook's public /webhooks/<forge>
  std::string secret;               // the hook's own secret (GitLab: the token)
  std::vector<std::string> events;  // in the forge's own names (GitHub "pull_request", GitLab "merge_requests_events")
};

// The forge's view of its last delivery attempt through a hook, where the forge reports one.
struct HookLastResponse {
  std::optional<int> code;  // HTTP status the forge got; absent when none yet or unreachable
  std::string status;       // GitHub "active" | "unused" | "failed: ..."; "" when not reported
  std::string message;
};

struct ForgeHook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  bool active = true;
  std::string contentType;  // "json" | "form" | "" when the forge has no such setting
  HookLastResponse lastResponse;
};

// One entry of the forge's delivery log for a hook (GitHub hook deliveries; GitLab hook events).
struct ForgeDelivery {
  std::string id;    // the log entry's id, used to ask for a redelivery
  std::string guid;  // X-GitHub-Delivery / Idempotency-Key: what forgehook stores as delivery_id
  std::int64_t deliveredAt = 0;  // Unix seconds
  bool redelivery = false;
  int statusCode = 0;  // the answer the forge got; 0 when it got none
  std::string status;  // "OK" on success, else the forge's words
  std::string event;
  std::string action;
};

struct DeliveryLogPage {
  std::vector<ForgeDelivery> deliveries;  // newest first
  std::optional<std::string> nextCursor;  // absent on the last page
};

// What the credential may do with a target, for `test` and for failure hints.
struct AccessReport {
  bool canReadHooks = false;
  bool canManageHooks = false;
  std::string credential;          // "token" or "GitHub App installation 123"; never the token itself
  std::vector<std::string> scopes;  // classic token scopes when the forge reports them
  std::string detail;              // what is missing and how to grant it, "" when nothing is
};

// One event from the forge's recent-events API (GitHub /repos/{o}/{r}/events).
struct PolledEvent {
  std::string id;
  std::string type;       // the forge's event type, e.g. GitHub "PullRequestEvent"
  std::int64_t createdAt = 0;  // Unix seconds
  std::string json;       // the event object as the forge sent it
};

struct EventsPage {
  bool notModified = false;  // 304 for the ETag sent: nothing new, and no rate limit spent
  std::string etag;          // send back next time
  int pollIntervalSeconds = 60;  // the forge's X-Poll-Interval, or a default
  std::vector<PolledEvent> events;  // newest first
};

// Rate-limit state of the credential a client calls with (shared by every caller of that credential).
struct RateBudgetView {
  std::string forge;
  std::string credential;  // "token" / "app installation 123": names the budget, never the secret
  std::int64_t limit = 0, remaining = -1, used = 0;  // remaining -1: not known yet
  std::int64_t resetAt = 0;      // Unix seconds
  std::int64_t waitedMs = 0;     // total time callers waited for this budget
  std::int64_t calls = 0;        // requests made with it
  std::int64_t secondaryLimits = 0;  // times a secondary limit (Retry-After) was met
};

class ForgeClient {
 public:
  virtual ~ForgeClient() = default;

  [[nodiscard]] virtual core::Forge forge() const = 0;

  // Every hook on the target (all pages).
  [[nodiscard]] virtual core::Result<std::vector<ForgeHook>> listHooks(const HookTarget& target) = 0;
  [[nodiscard]] virtual core::Result<ForgeHook> getHook(const HookTarget& target, const std::string& hookId) = 0;
  [[nodiscard]] virtual core::Result<ForgeHook> createHook(const HookTarget& target, const HookSpec& spec) = 0;
  // Sets url, secret, events, JSON content type and active in one request (GitHub: PATCH with the
  // whole config, since a config without the secret removes it).
  [[nodiscard]] virtual core::Result<ForgeHook> updateHook(const HookTarget& target, const std::string& hookId,
                                                           const HookSpec& spec) = 0;
  // NotFound when the hook is already gone (callers treat that as done).
  [[nodiscard]] virtual core::Result<void> deleteHook(const HookTarget& target, const std::string& hookId) = 0;
  // Asks the forge to send its ping (GitHub `ping`, GitLab/Gitea a test push).
  [[nodiscard]] virtual core::Result<void> pingHook(const HookTarget& target, const std::string& hookId) = 0;
  [[nodiscard]] virtual core::Result<AccessReport> checkAccess(const HookTarget& target) = 0;

  // The forge's delivery log of a hook, newest first; `cursor` from the previous page.
  // not_supported where the forge keeps none.
  [[nodiscard]] virtual core::Result<DeliveryLogPage> listDeliveries(const HookTarget& target,
                                                                     const std::string& hookId,
                                                                     const std::optional<std::string>& cursor) = 0;
  // Asks the forge to deliver that log entry again (same GUID). not_supported where it cannot.
  [[nodiscard]] virtual core::Result<void> redeliver(const HookTarget& target, const std::string& hookId,
                                                     const std::string& forgeDeliveryId) = 0;

  // Recent events of a repository, conditional on `etag` (empty: unconditional).
  [[nodiscard]] virtual core::Result<EventsPage> pollEvents(const HookTarget& target, const std::string& etag) = 0;

  // The rate-limit budgets this client spends (one per token; a GitHub App has one per installation).
  [[nodiscard]] virtual std::vector<RateBudgetView> budgets() const = 0;
};

}  // namespace forgehook::forge
