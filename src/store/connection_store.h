#pragma once
// Forge connections: the repositories and organisations whose hooks forgehook manages through the
// forge APIs, the credentials it calls the forges with, and the reconciliation of each hook's
// delivery log with the deliveries stored here. Secrets (hook secrets, tokens, the App key) are
// sealed at rest by the implementation and returned in plain text to the forge module only; the
// API never shows them. Implementations are thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"

namespace forgehook::store {

struct Connection {
  std::int64_t id = 0;
  std::string forge;                // "github" | "gitlab" | "gitea"
  std::string kind = "repository";  // "repository" | "organization"
  std::string target;               // "owner/name" or "org"
  std::string mode = "webhook";     // "webhook" | "poll"
  std::string url;                  // the hook's delivery URL ("" when none could be made)
  std::vector<std::string> events;  // forgehook's event names (GitHub's)
  std::optional<std::string> hookId;
  // pending: not yet set up; active: the hook exists as wanted; failed: the last attempt to
  // create or update it failed (error, hint); disabled: the forge reports it inactive;
  // polling: mode poll.
  std::string status = "pending";
  std::optional<std::string> error, hint;
  bool adopted = false;  // the hook existed for this URL and was taken over
  std::string secret;    // the hook's current secret ("" before one is made)
  std::optional<std::string> previousSecret;  // still accepted until previousSecretUntil
  std::optional<std::int64_t> previousSecretUntil;
  std::int64_t createdAt = 0, updatedAt = 0;
  std::optional<std::int64_t> checkedAt;  // the forge was last asked about the hook
  // Polling state (GitHub Events API).
  std::optional<std::string> pollEtag, pollSeenEventId;
  std::optional<std::int64_t> pollIntervalSeconds, lastPolledAt;
  std::int64_t nextPollAt = 0, nextReconcileAt = 0;
  std::optional<std::int64_t> failingSince;  // first failure of the current streak
};

// A connection keeps failing: its hook could not be made, or a reconciliation or poll failed (or
// gave a delivery up) since the last clean one. The dashboard and metrics flag it.
[[nodiscard]] inline bool isFailing(const Connection& c) { return c.status == "failed" || c.failingSince.has_value(); }

struct ForgeCredentialRecord {
  std::string forge;
  std::string apiUrl;
  std::string kind = "token";  // "token" | "app"
  std::optional<std::string> token;
  std::optional<std::string> appId, appPrivateKey, appWebhookSecret;
  std::int64_t createdAt = 0, updatedAt = 0;
};

struct ReconcileRun {
  std::int64_t id = 0, connectionId = 0;
  std::string trigger;  // "schedule" | "manual" | "start"
  std::int64_t startedAt = 0;
  std::optional<std::int64_t> finishedAt;
  std::int64_t listed = 0, missing = 0, requested = 0, arrived = 0, givenUp = 0, apiCalls = 0, pages = 0;
  std::optional<std::string> error;
};

// A delivery the forge logged that is not stored here, followed until it arrives or the forge's
// window closes.
struct TrackedDelivery {
  std::int64_t connectionId = 0;
  std::string guid, forgeDeliveryId, event, action;
  std::int64_t deliveredAt = 0;
  std::optional<int> forgeStatusCode;
  std::string status = "missing";  // missing | requested | arrived | given_up
  std::int64_t requests = 0;
  std::optional<std::int64_t> lastRequestedAt, arrivedAt;
  std::optional<std::string> lastError;
};

// Held while one component works on one connection (ConnectionStore::lockAcrossNodes); released
// when destroyed. This base holds nothing: one node alone needs no lock across nodes.
class ConnectionLock {
 public:
  virtual ~ConnectionLock() = default;
};

class ConnectionStore {
 public:
  virtual ~ConnectionStore() = default;

  // Serializes `component`'s work on connection `id` (a hook's rotation, a reconciliation, a poll)
  // across the nodes sharing the store, as the component's own mutex does within one process:
  // waits until no other node holds the same lock. A store of one node returns a lock that holds
  // nothing (the default). Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::unique_ptr<ConnectionLock>> lockAcrossNodes(std::string_view component,
                                                                                      std::int64_t id) {
    (void)component;
    (void)id;
    return std::make_unique<ConnectionLock>();
  }

  // Errors: Conflict "connection_exists" when (forge, kind, target) is taken; Unavailable.
  [[nodiscard]] virtual core::Result<Connection> createConnection(const Connection& connection) = 0;
  // Writes the connection's definition and hook state (by id): everything but the polling and
  // scheduling fields, which their own writers set (so a poll never undoes a rotation, say).
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> updateConnection(const Connection& connection) = 0;
  // Writes poll_etag, poll_interval_s, poll_seen_event_id, next_poll_at and last_polled_at; with
  // `health`, also error, hint and failing_since (a polled connection's health is its polls').
  [[nodiscard]] virtual core::Result<void> updatePollState(const Connection& connection, bool health) = 0;
  // When the connection is next reconciled (Unix seconds).
  [[nodiscard]] virtual core::Result<void> updateNextReconcile(std::int64_t id, std::int64_t at) = 0;
  // Sets or clears the failing flag only.
  [[nodiscard]] virtual core::Result<void> updateFailing(std::int64_t id, std::optional<std::int64_t> since) = 0;
  // Errors: NotFound; Unavailable; Internal "secret_undecryptable".
  [[nodiscard]] virtual core::Result<Connection> getConnection(std::int64_t id) = 0;
  [[nodiscard]] virtual core::Result<std::optional<Connection>> findConnection(const std::string& forge,
                                                                               const std::string& kind,
                                                                               const std::string& target) = 0;
  // Ordered by id.
  [[nodiscard]] virtual core::Result<std::vector<Connection>> listConnections() = 0;
  // Removes the connection, its runs and tracked deliveries; stored deliveries stay.
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> deleteConnection(std::int64_t id) = 0;

  // The hook secrets ingest accepts, as scopes: GitHub hooks by hook id, repositories by name, a
  // GitHub App's webhook secret by the App's id ("app"); a previous secret is included until its
  // grace period ends (`nowSeconds`).
  [[nodiscard]] virtual core::Result<std::vector<ScopedSecrets>> acceptedSecrets(std::int64_t nowSeconds) = 0;

  // One credential per forge. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<void> putCredential(const ForgeCredentialRecord& credential) = 0;
  [[nodiscard]] virtual core::Result<std::optional<ForgeCredentialRecord>> getCredential(const std::string& forge) = 0;
  [[nodiscard]] virtual core::Result<std::vector<ForgeCredentialRecord>> listCredentials() = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> deleteCredential(const std::string& forge) = 0;

  // Reconciliation bookkeeping.
  [[nodiscard]] virtual core::Result<std::int64_t> beginRun(std::int64_t connectionId, const std::string& trigger,
                                                            std::int64_t startedAt) = 0;
  [[nodiscard]] virtual core::Result<void> finishRun(const ReconcileRun& run) = 0;
  // Newest first.
  [[nodiscard]] virtual core::Result<std::vector<ReconcileRun>> listRuns(std::int64_t connectionId, int limit) = 0;
  // The newest finished run without an error, if any.
  [[nodiscard]] virtual core::Result<std::optional<ReconcileRun>> lastCleanRun(std::int64_t connectionId) = 0;
  // Adds deliveries not tracked yet (status missing); ones already tracked are left as they are.
  // Returns how many were new.
  [[nodiscard]] virtual core::Result<std::int64_t> trackDeliveries(const std::vector<TrackedDelivery>& deliveries) = 0;
  // Tracked deliveries still open (missing or requested), oldest first.
  [[nodiscard]] virtual core::Result<std::vector<TrackedDelivery>> openDeliveries(std::int64_t connectionId) = 0;
  // Writes status, requests, times and error of each (by connection and guid).
  [[nodiscard]] virtual core::Result<void> updateTracked(const std::vector<TrackedDelivery>& deliveries) = 0;
  // Counts by status of the deliveries tracked for a connection since `sinceSeconds` (delivered_at).
  struct TrackedCounts {
    std::int64_t missing = 0, requested = 0, arrived = 0, givenUp = 0;
  };
  [[nodiscard]] virtual core::Result<TrackedCounts> trackedCounts(std::int64_t connectionId,
                                                                  std::int64_t sinceSeconds) = 0;
};

}  // namespace forgehook::store
