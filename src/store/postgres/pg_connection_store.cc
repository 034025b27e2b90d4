#include "store/postgres/pg_connection_store.h"

#include <nlohmann/json.hpp>

#include "store/postgres/pg_text.h"
#include "store/postgres/pg_transaction.h"

namespace forgehook::store::postgres {
namespace {

constexpr const char* kUniqueViolation = "23505";

// The connection's definition and hook state (what updateConnection writes), then the polling and
// scheduling state their own writers set: $1..$24 on insert, columns 1..24 after id on select.
constexpr const char* kConnectionWriteColumns =
    "forge, kind, target, mode, url, events, hook_id, status, error, hint, adopted, secret_sealed, "
    "previous_secret_sealed, previous_secret_until, created_at, updated_at, checked_at, failing_since, poll_etag, "
    "poll_interval_s, poll_seen_event_id, next_poll_at, last_polled_at, next_reconcile_at";

constexpr const char* kRunColumns =
    "id, connection_id, trigger, started_at, finished_at, listed, missing, requested, arrived, given_up, "
    "api_calls, pages, error";

constexpr const char* kCredentialColumns =
    "forge, api_url, kind, token_sealed, app_id, app_private_key_sealed, app_webhook_secret_sealed, created_at, "
    "updated_at";

constexpr const char* kTrackedColumns =
    "connection_id, guid, forge_delivery_id, event, action, delivered_at, forge_status_code, status, requests, "
    "last_requested_at, arrived_at, last_error";

PgParam number(std::int64_t value) { return std::to_string(value); }
// Texts from outside (a forge's error message, a hint) as a text column keeps them (pg_text.h).
PgParam optionalParam(const std::optional<std::string>& value) {
  if (value) return storableText(*value);
  return std::nullopt;
}
PgParam optionalParam(const std::optional<std::int64_t>& value) {
  if (value) return std::to_string(*value);
  return std::nullopt;
}
PgParam sealedParam(const SecretSealer& sealer, const std::optional<std::string>& plain) {
  if (plain) return sealer.seal(*plain);
  return std::nullopt;
}

std::optional<std::string> optionalText(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.text(row, column);
}
std::optional<std::int64_t> optionalInteger(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.integer(row, column);
}

// An opened secret; a value that cannot be opened is an error of the whole read, never "" (a hook
// would then be updated with an empty secret).
core::Result<std::optional<std::string>> openOptional(const SecretSealer& sealer, const PgResult& r, int row,
                                                      int column) {
  if (r.isNull(row, column)) return std::optional<std::string>{};
  auto plain = sealer.open(r.text(row, column));
  if (!plain) return std::unexpected(plain.error());
  return std::optional<std::string>(std::move(*plain));
}

// A value that does not decode is reported as the SQLite store's reads report it.
core::Result<std::vector<std::string>> eventsFrom(const std::string& json) {
  try {
    return nlohmann::json::parse(json).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

// Every column of kConnectionWriteColumns, in order ($1..$24).
std::vector<PgParam> connectionParams(const SecretSealer& sealer, const Connection& c) {
  return {c.forge,
          c.kind,
          c.target,
          c.mode,
          c.url,
          nlohmann::json(c.events).dump(),
          optionalParam(c.hookId),
          c.status,
          optionalParam(c.error),
          optionalParam(c.hint),
          number(c.adopted ? 1 : 0),
          c.secret.empty() ? PgParam(std::nullopt) : PgParam(sealer.seal(c.secret)),
          sealedParam(sealer, c.previousSecret),
          optionalParam(c.previousSecretUntil),
          number(c.createdAt),
          number(c.updatedAt),
          optionalParam(c.checkedAt),
          optionalParam(c.failingSince),
          optionalParam(c.pollEtag),
          optionalParam(c.pollIntervalSeconds),
          optionalParam(c.pollSeenEventId),
          number(c.nextPollAt),
          optionalParam(c.lastPolledAt),
          number(c.nextReconcileAt)};
}

// A row of "id, " + kConnectionWriteColumns.
core::Result<Connection> connectionFrom(const SecretSealer& sealer, const PgResult& r, int row) {
  Connection c;
  c.id = r.integer(row, 0);
  c.forge = r.text(row, 1);
  c.kind = r.text(row, 2);
  c.target = r.text(row, 3);
  c.mode = r.text(row, 4);
  c.url = r.text(row, 5);
  auto events = eventsFrom(r.text(row, 6));
  if (!events) return std::unexpected(events.error());
  c.events = std::move(*events);
  c.hookId = optionalText(r, row, 7);
  c.status = r.text(row, 8);
  c.error = optionalText(r, row, 9);
  c.hint = optionalText(r, row, 10);
  c.adopted = r.integer(row, 11) != 0;
  auto secret = openOptional(sealer, r, row, 12);
  if (!secret) return std::unexpected(secret.error());
  c.secret = secret->value_or("");
  auto previous = openOptional(sealer, r, row, 13);
  if (!previous) return std::unexpected(previous.error());
  c.previousSecret = *previous;
  c.previousSecretUntil = optionalInteger(r, row, 14);
  c.createdAt = r.integer(row, 15);
  c.updatedAt = r.integer(row, 16);
  c.checkedAt = optionalInteger(r, row, 17);
  c.failingSince = optionalInteger(r, row, 18);
  c.pollEtag = optionalText(r, row, 19);
  c.pollIntervalSeconds = optionalInteger(r, row, 20);
  c.pollSeenEventId = optionalText(r, row, 21);
  c.nextPollAt = r.integer(row, 22);
  c.lastPolledAt = optionalInteger(r, row, 23);
  c.nextReconcileAt = r.integer(row, 24);
  return c;
}

ReconcileRun runFrom(const PgResult& r, int row) {
  ReconcileRun run;
  run.id = r.integer(row, 0);
  run.connectionId = r.integer(row, 1);
  run.trigger = r.text(row, 2);
  run.startedAt = r.integer(row, 3);
  run.finishedAt = optionalInteger(r, row, 4);
  run.listed = r.integer(row, 5);
  run.missing = r.integer(row, 6);
  run.requested = r.integer(row, 7);
  run.arrived = r.integer(row, 8);
  run.givenUp = r.integer(row, 9);
  run.apiCalls = r.integer(row, 10);
  run.pages = r.integer(row, 11);
  run.error = optionalText(r, row, 12);
  return run;
}

core::Result<ForgeCredentialRecord> credentialFrom(const SecretSealer& sealer, const PgResult& r, int row) {
  ForgeCredentialRecord c;
  c.forge = r.text(row, 0);
  c.apiUrl = r.text(row, 1);
  c.kind = r.text(row, 2);
  auto token = openOptional(sealer, r, row, 3);
  if (!token) return std::unexpected(token.error());
  c.token = *token;
  c.appId = optionalText(r, row, 4);
  auto key = openOptional(sealer, r, row, 5);
  if (!key) return std::unexpected(key.error());
  c.appPrivateKey = *key;
  auto webhookSecret = openOptional(sealer, r, row, 6);
  if (!webhookSecret) return std::unexpected(webhookSecret.error());
  c.appWebhookSecret = *webhookSecret;
  c.createdAt = r.integer(row, 7);
  c.updatedAt = r.integer(row, 8);
  return c;
}

TrackedDelivery trackedFrom(const PgResult& r, int row) {
  TrackedDelivery t;
  t.connectionId = r.integer(row, 0);
  t.guid = r.text(row, 1);
  t.forgeDeliveryId = r.text(row, 2);
  t.event = r.text(row, 3);
  t.action = r.text(row, 4);
  t.deliveredAt = r.integer(row, 5);
  if (!r.isNull(row, 6)) t.forgeStatusCode = static_cast<int>(r.integer(row, 6));
  t.status = r.text(row, 7);
  t.requests = r.integer(row, 8);
  t.lastRequestedAt = optionalInteger(r, row, 9);
  t.arrivedAt = optionalInteger(r, row, 10);
  t.lastError = optionalText(r, row, 11);
  return t;
}

core::Error noConnection(std::int64_t id) { return core::Error::notFound("no connection " + std::to_string(id)); }

}  // namespace

core::Result<std::vector<Connection>> PgConnectionStore::selectConnections(const std::string& where,
                                                                           const std::vector<PgParam>& params) {
  auto rows = pool_.exec(
      std::string("SELECT id, ") + kConnectionWriteColumns + " FROM connections " + where + " ORDER BY id", params);
  if (!rows) return std::unexpected(rows.error());
  std::vector<Connection> out;
  for (int i = 0; i < rows->rows(); ++i) {
    auto c = connectionFrom(sealer_, *rows, i);
    if (!c) return std::unexpected(c.error());
    out.push_back(std::move(*c));
  }
  return out;
}

core::Result<Connection> PgConnectionStore::createConnection(const Connection& connection) {
  auto lease = pool_.lease();
  if (!lease) return std::unexpected(lease.error());
  auto& c = **lease;
  auto inserted = c.exec(std::string("INSERT INTO connections (") + kConnectionWriteColumns +
                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
                             "$18, $19, $20, $21, $22, $23, $24) RETURNING id",
                         connectionParams(sealer_, connection));
  if (!inserted) {
    // The unique key (forge, kind, target) decides, also between nodes creating it at once; the
    // winner is looked up to be named. No such row (another key, such as an id the identity handed
    // out twice after an import, or the winner deleted since): the insert's own error.
    if (c.sqlState() != kUniqueViolation) return std::unexpected(inserted.error());
    auto exists = c.exec("SELECT id FROM connections WHERE forge = $1 AND kind = $2 AND target = $3",
                         {connection.forge, connection.kind, connection.target});
    if (!exists) return std::unexpected(exists.error());
    if (exists->rows() == 0) return std::unexpected(inserted.error());
    const auto winner = std::to_string(exists->integer(0, 0));
    return std::unexpected(core::Error::conflict(
        "connection_exists",
        connection.kind + " " + connection.target + " is already connected (connection " + winner + ")"));
  }
  Connection created = connection;
  created.id = inserted->integer(0, 0);
  return created;
}

core::Result<void> PgConnectionStore::updateConnection(const Connection& connection) {
  auto params = connectionParams(sealer_, connection);
  params.erase(params.begin() + 18, params.end());  // the polling and scheduling columns are left alone
  params.push_back(number(connection.id));
  auto updated = pool_.exec(
      "UPDATE connections SET forge = $1, kind = $2, target = $3, mode = $4, url = $5, events = $6, hook_id = $7, "
      "status = $8, error = $9, hint = $10, adopted = $11, secret_sealed = $12, previous_secret_sealed = $13, "
      "previous_secret_until = $14, created_at = $15, updated_at = $16, checked_at = $17, failing_since = $18 "
      "WHERE id = $19 RETURNING 1",
      params);
  if (!updated) return std::unexpected(updated.error());
  if (updated->rows() == 0) return std::unexpected(noConnection(connection.id));
  return {};
}

core::Result<void> PgConnectionStore::updatePollState(const Connection& c, bool health) {
  std::vector<PgParam> params{number(c.id),
                              optionalParam(c.pollEtag),
                              optionalParam(c.pollIntervalSeconds),
                              optionalParam(c.pollSeenEventId),
                              number(c.nextPollAt),
                              optionalParam(c.lastPolledAt)};
  if (health) {
    params.push_back(optionalParam(c.error));
    params.push_back(optionalParam(c.hint));
    params.push_back(optionalParam(c.failingSince));
  }
  auto updated = pool_.exec(health ? "UPDATE connections SET poll_etag = $2, poll_interval_s = $3, "
                                     "poll_seen_event_id = $4, next_poll_at = $5, last_polled_at = $6, error = $7, "
                                     "hint = $8, failing_since = $9 WHERE id = $1 RETURNING 1"
                                   : "UPDATE connections SET poll_etag = $2, poll_interval_s = $3, "
                                     "poll_seen_event_id = $4, next_poll_at = $5, last_polled_at = $6 WHERE id = $1 "
                                     "RETURNING 1",
                            params);
  if (!updated) return std::unexpected(updated.error());
  if (updated->rows() == 0) return std::unexpected(noConnection(c.id));
  return {};
}

core::Result<void> PgConnectionStore::updateNextReconcile(std::int64_t id, std::int64_t at) {
  auto updated = pool_.exec("UPDATE connections SET next_reconcile_at = $2 WHERE id = $1", {number(id), number(at)});
  if (!updated) return std::unexpected(updated.error());
  return {};
}

core::Result<void> PgConnectionStore::updateFailing(std::int64_t id, std::optional<std::int64_t> since) {
  auto updated =
      pool_.exec("UPDATE connections SET failing_since = $2 WHERE id = $1", {number(id), optionalParam(since)});
  if (!updated) return std::unexpected(updated.error());
  return {};
}

core::Result<Connection> PgConnectionStore::getConnection(std::int64_t id) {
  auto found = selectConnections("WHERE id = $1", {number(id)});
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::unexpected(noConnection(id));
  return std::move(found->front());
}

core::Result<std::optional<Connection>> PgConnectionStore::findConnection(const std::string& forge,
                                                                          const std::string& kind,
                                                                          const std::string& target) {
  // As exact as the SQLite store's (BINARY) comparison and the unique key: no lower() here.
  auto found = selectConnections("WHERE forge = $1 AND kind = $2 AND target = $3", {forge, kind, target});
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::optional<Connection>{};
  return std::optional<Connection>(std::move(found->front()));
}

core::Result<std::vector<Connection>> PgConnectionStore::listConnections() { return selectConnections("", {}); }

core::Result<void> PgConnectionStore::deleteConnection(std::int64_t id) {
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    auto gone = c.exec("DELETE FROM connections WHERE id = $1 RETURNING 1", {number(id)});
    if (!gone) return std::unexpected(gone.error());
    if (gone->rows() == 0) return std::unexpected(noConnection(id));
    if (auto runs = c.exec("DELETE FROM reconcile_runs WHERE connection_id = $1", {number(id)}); !runs)
      return std::unexpected(runs.error());
    if (auto tracked = c.exec("DELETE FROM reconcile_missing WHERE connection_id = $1", {number(id)}); !tracked)
      return std::unexpected(tracked.error());
    return {};
  });
}

core::Result<std::vector<ScopedSecrets>> PgConnectionStore::acceptedSecrets(std::int64_t nowSeconds) {
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
    if (c.kind == "app" && c.appId && c.appWebhookSecret)
      out.push_back({c.forge, "app", *c.appId, {*c.appWebhookSecret}});
  return out;
}

core::Result<void> PgConnectionStore::putCredential(const ForgeCredentialRecord& c) {
  auto put = pool_.exec(
      std::string("INSERT INTO forge_credentials (") + kCredentialColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (forge) DO UPDATE SET api_url = excluded.api_url, "
          "kind = excluded.kind, token_sealed = excluded.token_sealed, app_id = excluded.app_id, "
          "app_private_key_sealed = excluded.app_private_key_sealed, "
          "app_webhook_secret_sealed = excluded.app_webhook_secret_sealed, updated_at = excluded.updated_at",
      {c.forge, c.apiUrl, c.kind, sealedParam(sealer_, c.token), optionalParam(c.appId),
       sealedParam(sealer_, c.appPrivateKey), sealedParam(sealer_, c.appWebhookSecret), number(c.createdAt),
       number(c.updatedAt)});
  if (!put) return std::unexpected(put.error());
  return {};
}

core::Result<std::optional<ForgeCredentialRecord>> PgConnectionStore::getCredential(const std::string& forge) {
  // From the whole list, as the SQLite store: one credential that cannot be opened fails every read.
  auto all = listCredentials();
  if (!all) return std::unexpected(all.error());
  for (auto& c : *all)
    if (c.forge == forge) return std::optional<ForgeCredentialRecord>(std::move(c));
  return std::optional<ForgeCredentialRecord>{};
}

core::Result<std::vector<ForgeCredentialRecord>> PgConnectionStore::listCredentials() {
  // COLLATE "C": byte order, as SQLite's BINARY, whatever the database's collation.
  auto rows =
      pool_.exec(std::string("SELECT ") + kCredentialColumns + " FROM forge_credentials ORDER BY forge COLLATE \"C\"");
  if (!rows) return std::unexpected(rows.error());
  std::vector<ForgeCredentialRecord> out;
  for (int i = 0; i < rows->rows(); ++i) {
    auto c = credentialFrom(sealer_, *rows, i);
    if (!c) return std::unexpected(c.error());
    out.push_back(std::move(*c));
  }
  return out;
}

core::Result<void> PgConnectionStore::deleteCredential(const std::string& forge) {
  auto gone = pool_.exec("DELETE FROM forge_credentials WHERE forge = $1 RETURNING 1", {forge});
  if (!gone) return std::unexpected(gone.error());
  if (gone->rows() == 0) return std::unexpected(core::Error::notFound("no credential for " + forge));
  return {};
}

core::Result<std::int64_t> PgConnectionStore::beginRun(std::int64_t connectionId, const std::string& trigger,
                                                       std::int64_t startedAt) {
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<std::int64_t> {
    auto row =
        c.exec("INSERT INTO reconcile_runs (connection_id, trigger, started_at) VALUES ($1, $2, $3) RETURNING id",
               {number(connectionId), trigger, number(startedAt)});
    if (!row) return std::unexpected(row.error());
    // Keep the newest 200 runs of a connection: enough for status and trends, bounded forever.
    auto pruned = c.exec(
        "DELETE FROM reconcile_runs WHERE connection_id = $1 AND id <= (SELECT id FROM reconcile_runs "
        "WHERE connection_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 200)",
        {number(connectionId)});
    if (!pruned) return std::unexpected(pruned.error());
    return row->integer(0, 0);
  });
}

core::Result<void> PgConnectionStore::finishRun(const ReconcileRun& r) {
  auto updated = pool_.exec(
      "UPDATE reconcile_runs SET finished_at = $2, listed = $3, missing = $4, requested = $5, arrived = $6, "
      "given_up = $7, api_calls = $8, pages = $9, error = $10 WHERE id = $1",
      {number(r.id), optionalParam(r.finishedAt), number(r.listed), number(r.missing), number(r.requested),
       number(r.arrived), number(r.givenUp), number(r.apiCalls), number(r.pages), optionalParam(r.error)});
  if (!updated) return std::unexpected(updated.error());
  return {};
}

core::Result<std::vector<ReconcileRun>> PgConnectionStore::listRuns(std::int64_t connectionId, int limit) {
  // SQLite reads a negative LIMIT as none; PostgreSQL refuses one and reads NULL as none.
  auto rows = pool_.exec(
      std::string("SELECT ") + kRunColumns + " FROM reconcile_runs WHERE connection_id = $1 ORDER BY id DESC LIMIT $2",
      {number(connectionId), limit < 0 ? PgParam(std::nullopt) : number(limit)});
  if (!rows) return std::unexpected(rows.error());
  std::vector<ReconcileRun> out;
  for (int i = 0; i < rows->rows(); ++i) out.push_back(runFrom(*rows, i));
  return out;
}

core::Result<std::optional<ReconcileRun>> PgConnectionStore::lastCleanRun(std::int64_t connectionId) {
  auto rows = pool_.exec(std::string("SELECT ") + kRunColumns +
                             " FROM reconcile_runs WHERE connection_id = $1 AND finished_at IS NOT NULL AND error IS "
                             "NULL ORDER BY id DESC LIMIT 1",
                         {number(connectionId)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::optional<ReconcileRun>{};
  return std::optional<ReconcileRun>(runFrom(*rows, 0));
}

core::Result<std::int64_t> PgConnectionStore::trackDeliveries(const std::vector<TrackedDelivery>& deliveries) {
  if (deliveries.empty()) return std::int64_t{0};
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<std::int64_t> {
    const std::string sql = std::string("INSERT INTO reconcile_missing (") + kTrackedColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, 'missing', 0, NULL, NULL, NULL) "
                            "ON CONFLICT (connection_id, guid) DO NOTHING RETURNING 1";
    std::int64_t added = 0;
    for (const auto& t : deliveries) {
      auto row =
          c.exec(sql, {number(t.connectionId), t.guid, t.forgeDeliveryId, t.event, t.action, number(t.deliveredAt),
                       t.forgeStatusCode ? number(*t.forgeStatusCode) : PgParam(std::nullopt)});
      if (!row) return std::unexpected(row.error());
      added += row->rows();
    }
    return added;
  });
}

core::Result<std::vector<TrackedDelivery>> PgConnectionStore::openDeliveries(std::int64_t connectionId) {
  auto rows = pool_.exec(std::string("SELECT ") + kTrackedColumns +
                             " FROM reconcile_missing WHERE connection_id = $1 AND status IN ('missing', 'requested') "
                             "ORDER BY delivered_at, guid COLLATE \"C\"",
                         {number(connectionId)});
  if (!rows) return std::unexpected(rows.error());
  std::vector<TrackedDelivery> out;
  for (int i = 0; i < rows->rows(); ++i) out.push_back(trackedFrom(*rows, i));
  return out;
}

core::Result<void> PgConnectionStore::updateTracked(const std::vector<TrackedDelivery>& deliveries) {
  if (deliveries.empty()) return {};
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    for (const auto& t : deliveries) {
      auto updated = c.exec(
          "UPDATE reconcile_missing SET status = $3, requests = $4, last_requested_at = $5, arrived_at = $6, "
          "last_error = $7, forge_delivery_id = $8 WHERE connection_id = $1 AND guid = $2",
          {number(t.connectionId), t.guid, t.status, number(t.requests), optionalParam(t.lastRequestedAt),
           optionalParam(t.arrivedAt), optionalParam(t.lastError), t.forgeDeliveryId});
      if (!updated) return std::unexpected(updated.error());
    }
    return {};
  });
}

core::Result<ConnectionStore::TrackedCounts> PgConnectionStore::trackedCounts(std::int64_t connectionId,
                                                                              std::int64_t sinceSeconds) {
  auto rows = pool_.exec(
      "SELECT status, count(*) FROM reconcile_missing WHERE connection_id = $1 AND delivered_at >= $2 "
      "GROUP BY status",
      {number(connectionId), number(sinceSeconds)});
  if (!rows) return std::unexpected(rows.error());
  TrackedCounts counts;
  for (int i = 0; i < rows->rows(); ++i) {
    const auto status = rows->text(i, 0);
    const auto n = rows->integer(i, 1);
    if (status == "missing") counts.missing = n;
    if (status == "requested") counts.requested = n;
    if (status == "arrived") counts.arrived = n;
    if (status == "given_up") counts.givenUp = n;
  }
  return counts;
}

namespace {

class PgConnectionLock final : public ConnectionLock {
 public:
  explicit PgConnectionLock(PgConnection conn) : conn_(std::move(conn)) {}

 private:
  PgConnection conn_;  // the session that holds the lock: closed, it lets go
};

}  // namespace

core::Result<std::unique_ptr<ConnectionLock>> PgConnectionStore::lockAcrossNodes(std::string_view component,
                                                                                 std::int64_t id) {
  auto conn = PgConnection::open(settings_);
  if (!conn) return std::unexpected(conn.error());
  // One 32-bit key of both (any id; two pairs sharing a key only wait for each other).
  auto locked = conn->exec("SELECT pg_advisory_lock(hashtext($1 || ':' || $2))", {std::string(component), std::to_string(id)});
  if (!locked) return std::unexpected(locked.error());
  return std::make_unique<PgConnectionLock>(std::move(*conn));
}

}  // namespace forgehook::store::postgres
