#include "store/sqlite/connection_store.h"

#include <nlohmann/json.hpp>

#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {
namespace {

constexpr const char* kConnectionColumns =
    "id, forge, kind, target, mode, url, events, hook_id, status, error, hint, adopted, secret_sealed, "
    "previous_secret_sealed, previous_secret_until, created_at, updated_at, checked_at, poll_etag, "
    "poll_interval_s, poll_seen_event_id, next_poll_at, last_polled_at, next_reconcile_at, failing_since";

std::optional<std::string> optionalText(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.text(column);
}
std::optional<std::int64_t> optionalInteger(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.integer(column);
}
void bindOptional(Statement& s, int index, const std::optional<std::string>& value) {
  if (value)
    s.bind(index, *value);
  else
    s.bindNull(index);
}
void bindOptional(Statement& s, int index, const std::optional<std::int64_t>& value) {
  if (value)
    s.bind(index, *value);
  else
    s.bindNull(index);
}

// An opened secret; a value that cannot be opened is an error of the whole read, never "" (a hook
// would then be updated with an empty secret).
core::Result<std::optional<std::string>> openOptional(const SecretSealer& sealer, const Statement& s, int column) {
  if (s.isNull(column)) return std::optional<std::string>{};
  auto plain = sealer.open(s.text(column));
  if (!plain) return std::unexpected(plain.error());
  return std::optional<std::string>(std::move(*plain));
}

core::Result<Connection> connectionFrom(const SecretSealer& sealer, const Statement& s) {
  Connection c;
  c.id = s.integer(0);
  c.forge = s.text(1);
  c.kind = s.text(2);
  c.target = s.text(3);
  c.mode = s.text(4);
  c.url = s.text(5);
  c.events = nlohmann::json::parse(s.text(6)).get<std::vector<std::string>>();
  c.hookId = optionalText(s, 7);
  c.status = s.text(8);
  c.error = optionalText(s, 9);
  c.hint = optionalText(s, 10);
  c.adopted = s.integer(11) != 0;
  auto secret = openOptional(sealer, s, 12);
  if (!secret) return std::unexpected(secret.error());
  c.secret = secret->value_or("");
  auto previous = openOptional(sealer, s, 13);
  if (!previous) return std::unexpected(previous.error());
  c.previousSecret = *previous;
  c.previousSecretUntil = optionalInteger(s, 14);
  c.createdAt = s.integer(15);
  c.updatedAt = s.integer(16);
  c.checkedAt = optionalInteger(s, 17);
  c.pollEtag = optionalText(s, 18);
  c.pollIntervalSeconds = optionalInteger(s, 19);
  c.pollSeenEventId = optionalText(s, 20);
  c.nextPollAt = s.integer(21);
  c.lastPolledAt = optionalInteger(s, 22);
  c.nextReconcileAt = s.integer(23);
  c.failingSince = optionalInteger(s, 24);
  return c;
}

// Binds every column but id (?1) as ?2.. in kConnectionColumns order.
void bindConnection(const SecretSealer& sealer, Statement& s, const Connection& c) {
  s.bind(2, c.forge).bind(3, c.kind).bind(4, c.target).bind(5, c.mode).bind(6, c.url);
  s.bind(7, nlohmann::json(c.events).dump());
  bindOptional(s, 8, c.hookId);
  s.bind(9, c.status);
  bindOptional(s, 10, c.error);
  bindOptional(s, 11, c.hint);
  s.bind(12, std::int64_t{c.adopted ? 1 : 0});
  if (c.secret.empty())
    s.bindNull(13);
  else
    s.bind(13, sealer.seal(c.secret));
  if (c.previousSecret)
    s.bind(14, sealer.seal(*c.previousSecret));
  else
    s.bindNull(14);
  bindOptional(s, 15, c.previousSecretUntil);
  s.bind(16, c.createdAt).bind(17, c.updatedAt);
  bindOptional(s, 18, c.checkedAt);
  bindOptional(s, 19, c.pollEtag);
  bindOptional(s, 20, c.pollIntervalSeconds);
  bindOptional(s, 21, c.pollSeenEventId);
  s.bind(22, c.nextPollAt);
  bindOptional(s, 23, c.lastPolledAt);
  s.bind(24, c.nextReconcileAt);
  bindOptional(s, 25, c.failingSince);
}

ReconcileRun runFrom(const Statement& s) {
  ReconcileRun r;
  r.id = s.integer(0);
  r.connectionId = s.integer(1);
  r.trigger = s.text(2);
  r.startedAt = s.integer(3);
  r.finishedAt = optionalInteger(s, 4);
  r.listed = s.integer(5);
  r.missing = s.integer(6);
  r.requested = s.integer(7);
  r.arrived = s.integer(8);
  r.givenUp = s.integer(9);
  r.apiCalls = s.integer(10);
  r.pages = s.integer(11);
  r.error = optionalText(s, 12);
  return r;
}
constexpr const char* kRunColumns =
    "id, connection_id, trigger, started_at, finished_at, listed, missing, requested, arrived, given_up, "
    "api_calls, pages, error";

constexpr const char* kCredentialColumns =
    "forge, api_url, kind, token_sealed, app_id, app_private_key_sealed, app_webhook_secret_sealed, created_at, "
    "updated_at";

core::Result<ForgeCredentialRecord> credentialFrom(const SecretSealer& sealer, const Statement& s) {
  ForgeCredentialRecord c;
  c.forge = s.text(0);
  c.apiUrl = s.text(1);
  c.kind = s.text(2);
  auto token = openOptional(sealer, s, 3);
  if (!token) return std::unexpected(token.error());
  c.token = *token;
  c.appId = optionalText(s, 4);
  auto key = openOptional(sealer, s, 5);
  if (!key) return std::unexpected(key.error());
  c.appPrivateKey = *key;
  auto webhookSecret = openOptional(sealer, s, 6);
  if (!webhookSecret) return std::unexpected(webhookSecret.error());
  c.appWebhookSecret = *webhookSecret;
  c.createdAt = s.integer(7);
  c.updatedAt = s.integer(8);
  return c;
}

void bindSealed(const SecretSealer& sealer, Statement& s, int index, const std::optional<std::string>& plain) {
  if (plain)
    s.bind(index, sealer.seal(*plain));
  else
    s.bindNull(index);
}

constexpr const char* kTrackedColumns =
    "connection_id, guid, forge_delivery_id, event, action, delivered_at, forge_status_code, status, requests, "
    "last_requested_at, arrived_at, last_error";

TrackedDelivery trackedFrom(const Statement& s) {
  TrackedDelivery t;
  t.connectionId = s.integer(0);
  t.guid = s.text(1);
  t.forgeDeliveryId = s.text(2);
  t.event = s.text(3);
  t.action = s.text(4);
  t.deliveredAt = s.integer(5);
  if (!s.isNull(6)) t.forgeStatusCode = static_cast<int>(s.integer(6));
  t.status = s.text(7);
  t.requests = s.integer(8);
  t.lastRequestedAt = optionalInteger(s, 9);
  t.arrivedAt = optionalInteger(s, 10);
  t.lastError = optionalText(s, 11);
  return t;
}

}  // namespace

core::Result<std::vector<Connection>> SqliteConnectionStore::selectConnections(
    const std::string& where, const std::function<void(Statement&)>& bind) {
  return db_.read<std::vector<Connection>>([&](sqlite3* db) -> core::Result<std::vector<Connection>> {
    std::string sql = "SELECT ";
    sql.append(kConnectionColumns).append(" FROM connections ").append(where).append(" ORDER BY id");
    Statement s(db, sql);
    bind(s);
    std::vector<Connection> out;
    while (s.step() == SQLITE_ROW) {
      auto c = connectionFrom(sealer_, s);
      if (!c) return std::unexpected(c.error());
      out.push_back(std::move(*c));
    }
    return out;
  });
}

core::Result<Connection> SqliteConnectionStore::createConnection(const Connection& connection) {
  Connection created = connection;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement exists(db, "SELECT id FROM connections WHERE forge = ?1 AND kind = ?2 AND target = ?3");
    exists.bind(1, connection.forge).bind(2, connection.kind).bind(3, connection.target);
    if (exists.step() == SQLITE_ROW)
      return std::unexpected(core::Error::conflict(
          "connection_exists", connection.kind + " " + connection.target + " is already connected (connection " +
                                   std::to_string(exists.integer(0)) + ")"));
    std::string sql = "INSERT INTO connections (";
    sql.append(kConnectionColumns)
        .append(") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                "?20, ?21, ?22, ?23, ?24, ?25) RETURNING id");
    Statement s(db, sql);
    bindConnection(sealer_, s, connection);
    must(s.step(), SQLITE_ROW);
    created.id = s.integer(0);
    must(s.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return created;
}

core::Result<void> SqliteConnectionStore::updateConnection(const Connection& connection) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "UPDATE connections SET forge = ?2, kind = ?3, target = ?4, mode = ?5, url = ?6, events = ?7, "
                "hook_id = ?8, status = ?9, error = ?10, hint = ?11, adopted = ?12, secret_sealed = ?13, "
                "previous_secret_sealed = ?14, previous_secret_until = ?15, created_at = ?16, updated_at = ?17, "
                "checked_at = ?18, failing_since = ?25 WHERE id = ?1");
    s.bind(1, connection.id);
    bindConnection(sealer_, s, connection);
    must(s.step());
    if (sqlite3_changes(db) == 0)
      return std::unexpected(core::Error::notFound("no connection " + std::to_string(connection.id)));
    return {};
  });
}

core::Result<void> SqliteConnectionStore::updatePollState(const Connection& c, bool health) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, health ? "UPDATE connections SET poll_etag = ?2, poll_interval_s = ?3, poll_seen_event_id = ?4, "
                             "next_poll_at = ?5, last_polled_at = ?6, error = ?7, hint = ?8, failing_since = ?9 "
                             "WHERE id = ?1"
                           : "UPDATE connections SET poll_etag = ?2, poll_interval_s = ?3, poll_seen_event_id = ?4, "
                             "next_poll_at = ?5, last_polled_at = ?6 WHERE id = ?1");
    s.bind(1, c.id);
    bindOptional(s, 2, c.pollEtag);
    bindOptional(s, 3, c.pollIntervalSeconds);
    bindOptional(s, 4, c.pollSeenEventId);
    s.bind(5, c.nextPollAt);
    bindOptional(s, 6, c.lastPolledAt);
    if (health) {
      bindOptional(s, 7, c.error);
      bindOptional(s, 8, c.hint);
      bindOptional(s, 9, c.failingSince);
    }
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound("no connection " + std::to_string(c.id)));
    return {};
  });
}

core::Result<void> SqliteConnectionStore::updateNextReconcile(std::int64_t id, std::int64_t at) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "UPDATE connections SET next_reconcile_at = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, at);
    must(s.step());
    return {};
  });
}

core::Result<void> SqliteConnectionStore::updateFailing(std::int64_t id, std::optional<std::int64_t> since) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "UPDATE connections SET failing_since = ?2 WHERE id = ?1");
    s.bind(1, id);
    bindOptional(s, 2, since);
    must(s.step());
    return {};
  });
}

core::Result<Connection> SqliteConnectionStore::getConnection(std::int64_t id) {
  auto found = selectConnections("WHERE id = ?1", [id](Statement& s) { s.bind(1, id); });
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::unexpected(core::Error::notFound("no connection " + std::to_string(id)));
  return std::move(found->front());
}

core::Result<std::optional<Connection>> SqliteConnectionStore::findConnection(const std::string& forge,
                                                                              const std::string& kind,
                                                                              const std::string& target) {
  auto found = selectConnections("WHERE forge = ?1 AND kind = ?2 AND target = ?3", [&](Statement& s) {
    s.bind(1, forge).bind(2, kind).bind(3, target);
  });
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::optional<Connection>{};
  return std::optional<Connection>(std::move(found->front()));
}

core::Result<std::vector<Connection>> SqliteConnectionStore::listConnections() {
  return selectConnections("", [](Statement&) {});
}

core::Result<void> SqliteConnectionStore::deleteConnection(std::int64_t id) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "DELETE FROM connections WHERE id = ?1");
    s.bind(1, id);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound("no connection " + std::to_string(id)));
    Statement runs(db, "DELETE FROM reconcile_runs WHERE connection_id = ?1");
    runs.bind(1, id);
    must(runs.step());
    Statement tracked(db, "DELETE FROM reconcile_missing WHERE connection_id = ?1");
    tracked.bind(1, id);
    must(tracked.step());
    return {};
  });
}

core::Result<std::vector<ScopedSecrets>> SqliteConnectionStore::acceptedSecrets(std::int64_t nowSeconds) {
  auto all = listConnections();
  if (!all) return std::unexpected(all.error());
  std::vector<ScopedSecrets> out;
  for (const auto& c : *all) {
    // A polled connection whose hook still exists (switched from webhooks) keeps accepting it: its
    // deliveries are deduplicated against the polled events, not refused.
    if (c.secret.empty() || (c.mode != "webhook" && !c.hookId)) continue;
    std::vector<std::string> secrets{c.secret};
    if (c.previousSecret && c.previousSecretUntil && *c.previousSecretUntil > nowSeconds)
      secrets.push_back(*c.previousSecret);
    // GitHub names the hook in every delivery (X-GitHub-Hook-ID). The repository scope covers
    // the others, and GitHub's ping of a new hook, which can arrive before its id is stored here.
    if (c.forge == "github" && c.hookId) out.push_back({c.forge, "hook", *c.hookId, secrets});
    if (c.kind == "repository") out.push_back({c.forge, "repository", c.target, secrets});
  }
  // A GitHub App's own webhook is signed with the App's webhook secret.
  auto credentials = listCredentials();
  if (!credentials) return std::unexpected(credentials.error());
  for (const auto& c : *credentials)
    if (c.kind == "app" && c.appId && c.appWebhookSecret) out.push_back({c.forge, "app", *c.appId, {*c.appWebhookSecret}});
  return out;
}

core::Result<void> SqliteConnectionStore::putCredential(const ForgeCredentialRecord& c) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    std::string sql = "INSERT INTO forge_credentials (";
    sql.append(kCredentialColumns)
        .append(
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (forge) DO UPDATE SET api_url = excluded.api_url, "
            "kind = excluded.kind, token_sealed = excluded.token_sealed, app_id = excluded.app_id, "
            "app_private_key_sealed = excluded.app_private_key_sealed, "
            "app_webhook_secret_sealed = excluded.app_webhook_secret_sealed, updated_at = excluded.updated_at");
    Statement s(db, sql);
    s.bind(1, c.forge).bind(2, c.apiUrl).bind(3, c.kind);
    bindSealed(sealer_, s, 4, c.token);
    bindOptional(s, 5, c.appId);
    bindSealed(sealer_, s, 6, c.appPrivateKey);
    bindSealed(sealer_, s, 7, c.appWebhookSecret);
    s.bind(8, c.createdAt).bind(9, c.updatedAt);
    must(s.step());
    return {};
  });
}

core::Result<std::optional<ForgeCredentialRecord>> SqliteConnectionStore::getCredential(const std::string& forge) {
  auto all = listCredentials();
  if (!all) return std::unexpected(all.error());
  for (auto& c : *all)
    if (c.forge == forge) return std::optional<ForgeCredentialRecord>(std::move(c));
  return std::optional<ForgeCredentialRecord>{};
}

core::Result<std::vector<ForgeCredentialRecord>> SqliteConnectionStore::listCredentials() {
  return db_.read<std::vector<ForgeCredentialRecord>>(
      [&](sqlite3* db) -> core::Result<std::vector<ForgeCredentialRecord>> {
        std::string sql = "SELECT ";
        sql.append(kCredentialColumns).append(" FROM forge_credentials ORDER BY forge");
        Statement s(db, sql);
        std::vector<ForgeCredentialRecord> out;
        while (s.step() == SQLITE_ROW) {
          auto c = credentialFrom(sealer_, s);
          if (!c) return std::unexpected(c.error());
          out.push_back(std::move(*c));
        }
        return out;
      });
}

core::Result<void> SqliteConnectionStore::deleteCredential(const std::string& forge) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "DELETE FROM forge_credentials WHERE forge = ?1");
    s.bind(1, forge);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound("no credential for " + forge));
    return {};
  });
}

core::Result<std::int64_t> SqliteConnectionStore::beginRun(std::int64_t connectionId, const std::string& trigger,
                                                           std::int64_t startedAt) {
  std::int64_t id = 0;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "INSERT INTO reconcile_runs (connection_id, trigger, started_at) VALUES (?1, ?2, ?3) RETURNING id");
    s.bind(1, connectionId).bind(2, trigger).bind(3, startedAt);
    must(s.step(), SQLITE_ROW);
    id = s.integer(0);
    must(s.step());
    // Keep the newest 200 runs of a connection: enough for status and trends, bounded forever.
    Statement prune(db,
                    "DELETE FROM reconcile_runs WHERE connection_id = ?1 AND id <= (SELECT id FROM reconcile_runs "
                    "WHERE connection_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET 200)");
    prune.bind(1, connectionId);
    must(prune.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return id;
}

core::Result<void> SqliteConnectionStore::finishRun(const ReconcileRun& r) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "UPDATE reconcile_runs SET finished_at = ?2, listed = ?3, missing = ?4, requested = ?5, arrived = ?6, "
                "given_up = ?7, api_calls = ?8, pages = ?9, error = ?10 WHERE id = ?1");
    s.bind(1, r.id);
    bindOptional(s, 2, r.finishedAt);
    s.bind(3, r.listed).bind(4, r.missing).bind(5, r.requested).bind(6, r.arrived).bind(7, r.givenUp);
    s.bind(8, r.apiCalls).bind(9, r.pages);
    bindOptional(s, 10, r.error);
    must(s.step());
    return {};
  });
}

core::Result<std::vector<ReconcileRun>> SqliteConnectionStore::listRuns(std::int64_t connectionId, int limit) {
  return db_.read<std::vector<ReconcileRun>>([&](sqlite3* db) -> core::Result<std::vector<ReconcileRun>> {
    std::string sql = "SELECT ";
    sql.append(kRunColumns).append(" FROM reconcile_runs WHERE connection_id = ?1 ORDER BY id DESC LIMIT ?2");
    Statement s(db, sql);
    s.bind(1, connectionId).bind(2, std::int64_t{limit});
    std::vector<ReconcileRun> out;
    while (s.step() == SQLITE_ROW) out.push_back(runFrom(s));
    return out;
  });
}

core::Result<std::optional<ReconcileRun>> SqliteConnectionStore::lastCleanRun(std::int64_t connectionId) {
  return db_.read<std::optional<ReconcileRun>>([&](sqlite3* db) -> core::Result<std::optional<ReconcileRun>> {
    std::string sql = "SELECT ";
    sql.append(kRunColumns)
        .append(" FROM reconcile_runs WHERE connection_id = ?1 AND finished_at IS NOT NULL AND error IS NULL "
                "ORDER BY id DESC LIMIT 1");
    Statement s(db, sql);
    s.bind(1, connectionId);
    if (s.step() != SQLITE_ROW) return std::optional<ReconcileRun>{};
    return std::optional<ReconcileRun>(runFrom(s));
  });
}

core::Result<std::int64_t> SqliteConnectionStore::trackDeliveries(const std::vector<TrackedDelivery>& deliveries) {
  std::int64_t added = 0;
  if (deliveries.empty()) return added;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    std::string sql = "INSERT OR IGNORE INTO reconcile_missing (";
    sql.append(kTrackedColumns).append(") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'missing', 0, NULL, NULL, NULL)");
    Statement s(db, sql);
    for (const auto& t : deliveries) {
      s.bind(1, t.connectionId).bind(2, t.guid).bind(3, t.forgeDeliveryId).bind(4, t.event).bind(5, t.action);
      s.bind(6, t.deliveredAt);
      if (t.forgeStatusCode)
        s.bind(7, std::int64_t{*t.forgeStatusCode});
      else
        s.bindNull(7);
      must(s.step());
      added += sqlite3_changes(db);
      s.reset();
    }
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return added;
}

core::Result<std::vector<TrackedDelivery>> SqliteConnectionStore::openDeliveries(std::int64_t connectionId) {
  return db_.read<std::vector<TrackedDelivery>>([&](sqlite3* db) -> core::Result<std::vector<TrackedDelivery>> {
    std::string sql = "SELECT ";
    sql.append(kTrackedColumns)
        .append(" FROM reconcile_missing WHERE connection_id = ?1 AND status IN ('missing', 'requested') "
                "ORDER BY delivered_at, guid");
    Statement s(db, sql);
    s.bind(1, connectionId);
    std::vector<TrackedDelivery> out;
    while (s.step() == SQLITE_ROW) out.push_back(trackedFrom(s));
    return out;
  });
}

core::Result<void> SqliteConnectionStore::updateTracked(const std::vector<TrackedDelivery>& deliveries) {
  if (deliveries.empty()) return {};
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "UPDATE reconcile_missing SET status = ?3, requests = ?4, last_requested_at = ?5, arrived_at = ?6, "
                "last_error = ?7, forge_delivery_id = ?8 WHERE connection_id = ?1 AND guid = ?2");
    for (const auto& t : deliveries) {
      s.bind(1, t.connectionId).bind(2, t.guid).bind(3, t.status).bind(4, t.requests);
      bindOptional(s, 5, t.lastRequestedAt);
      bindOptional(s, 6, t.arrivedAt);
      bindOptional(s, 7, t.lastError);
      s.bind(8, t.forgeDeliveryId);
      must(s.step());
      s.reset();
    }
    return {};
  });
}

core::Result<ConnectionStore::TrackedCounts> SqliteConnectionStore::trackedCounts(std::int64_t connectionId,
                                                                                  std::int64_t sinceSeconds) {
  return db_.read<TrackedCounts>([&](sqlite3* db) -> core::Result<TrackedCounts> {
    Statement s(db,
                "SELECT status, count(*) FROM reconcile_missing WHERE connection_id = ?1 AND delivered_at >= ?2 "
                "GROUP BY status");
    s.bind(1, connectionId).bind(2, sinceSeconds);
    TrackedCounts counts;
    while (s.step() == SQLITE_ROW) {
      const auto status = s.text(0);
      const auto n = s.integer(1);
      if (status == "missing") counts.missing = n;
      if (status == "requested") counts.requested = n;
      if (status == "arrived") counts.arrived = n;
      if (status == "given_up") counts.givenUp = n;
    }
    return counts;
  });
}

}  // namespace forgehook::store::sqlite
