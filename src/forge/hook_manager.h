#pragma once
// Connects repositories and organisations: creates (or adopts) their hook through the forge API
// with a secret of its own, rotates that secret with a grace period, pings and tests the hook, and
// deletes it on disconnect. A failure at the forge is not lost: the connection is kept with status
// "failed", the forge's error and a hint, and is tried again by connect() or the scheduler.
// Thread-safe: calls on one connection are serialized.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "forge/client_source.h"
#include "forge/keyed_locks.h"
#include "store/connection_store.h"
#include "store/delivery_log.h"

namespace forgehook::forge {

struct ConnectRequest {
  std::string forge = "github";
  std::string kind = "repository";  // or "organization"
  std::string target;               // "owner/name" or "org"
  std::optional<std::string> mode;  // "webhook" (default) | "poll"
  std::optional<std::vector<std::string>> events;
  std::optional<std::string> publicUrl;  // forgehook's address as the forge reaches it
  // The hook's secret, chosen by the caller; nothing: a random one. Only for a new connection (an
  // existing one changes its secret by rotate-secret, with a grace period).
  std::optional<std::string> secret;
};

// What connect() did: the connection as it is now, and whether it was new.
struct ConnectOutcome {
  store::Connection connection;
  bool created = false;
  bool switchedToWebhooks = false;  // it was polled until this call made its hook
};

struct PingReport {
  std::int64_t requestedAt = 0;  // Unix microseconds
  bool arrived = false;
  std::optional<std::int64_t> arrivedAt;   // Unix microseconds
  std::optional<std::int64_t> roundTripMs;
  std::int64_t deliveryId = 0;             // the stored delivery, when it arrived
};

struct UrlProbe {
  bool reachable = false;
  std::optional<int> status;
  std::string detail;
};

struct TestReport {
  std::string url;
  UrlProbe publicUrl;
  std::optional<AccessReport> access;
  std::optional<std::string> accessError;
  std::optional<ForgeHook> hook;
  std::optional<std::string> hookError;
};

struct HookManagerOptions {
  std::string publicUrl;                    // forges.public_url: base address, e.g. https://hooks.example.com
  std::int64_t secretGraceSeconds = 3600;   // an old hook secret stays accepted this long after a rotation
  std::int64_t pingTimeoutMs = 10'000;      // how long ping() waits for the forge's ping to arrive
};

class HookManager {
 public:
  // `secretsChanged` re-reads the accepted hook secrets into ingest; `probeUrl` GETs a URL and
  // returns its status (for test()).
  HookManager(store::ConnectionStore& connections, store::DeliveryLog& deliveries, ClientSource& clients,
              const core::Clock& clock, const core::Logger& logger, HookManagerOptions options,
              std::function<void()> secretsChanged,
              std::function<core::Result<int>(const std::string& url)> probeUrl);

  // Creates the connection, or updates an existing one for the same target, and makes its hook.
  // Errors (the request itself is wrong): InvalidArgument; Unavailable (store). Forge failures are
  // reported in the connection's status, error and hint.
  [[nodiscard]] core::Result<ConnectOutcome> connect(const ConnectRequest& request);
  // Deletes the hook (already gone counts as done), then the connection; deliveries stay.
  // Errors: NotFound; the forge's error when the hook could not be deleted (the connection stays).
  [[nodiscard]] core::Result<store::Connection> disconnect(std::int64_t id);
  // A new secret at the forge; the old one is accepted until the grace period ends. On a forge
  // error nothing changes. Errors: NotFound; Conflict "no_hook"; the forge's error.
  [[nodiscard]] core::Result<store::Connection> rotateSecret(std::int64_t id);
  // Asks the forge for its ping and waits for it to arrive here. Errors: NotFound; Conflict
  // "no_hook"; the forge's error.
  [[nodiscard]] core::Result<PingReport> ping(std::int64_t id);
  // The public URL, the credential's rights and the hook as the forge sees it. Errors: NotFound.
  [[nodiscard]] core::Result<TestReport> test(std::int64_t id);
  // Makes the hook as wanted again (after a failure) and records the forge's view of it.
  [[nodiscard]] core::Result<store::Connection> recheck(std::int64_t id);
  // The hook as the forge reports it now. Errors: NotFound; Conflict "no_hook"; the forge's error.
  [[nodiscard]] core::Result<ForgeHook> forgeHook(const store::Connection& connection);
  // Drops the previous secrets of `connections` whose grace period has ended. Returns how many.
  std::int64_t expireGracePeriods(const std::vector<store::Connection>& connections);

  [[nodiscard]] static HookTarget targetOf(const store::Connection& connection);

 private:
  core::Result<store::Connection> ensureHook(store::Connection connection);
  void markFailed(store::Connection& connection, const core::Error& error, const std::string& hint);

  store::ConnectionStore& connections_;
  store::DeliveryLog& deliveries_;
  ClientSource& clients_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  HookManagerOptions options_;
  std::function<void()> secretsChanged_;
  std::function<core::Result<int>(const std::string&)> probeUrl_;
  KeyedLocks locks_;
};

// "https://hooks.example.com" + forge -> "https://hooks.example.com/webhooks/github"; a URL that
// already ends in /webhooks/<forge> is kept. Errors: InvalidArgument for anything but http(s).
[[nodiscard]] core::Result<std::string> hookUrlFor(const std::string& publicUrl, const std::string& forge);
// What the user can do about a forge error, for the connection's hint.
[[nodiscard]] std::string hintFor(const core::Error& error, const std::string& forge, const std::string& target);

}  // namespace forgehook::forge
