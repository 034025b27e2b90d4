#include "store/postgres/pg_subscription_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/postgres/pg_text.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {
namespace {

constexpr int kPruneBatch = 2000;  // rows per pruning statement, as in the SQLite store

constexpr const char* kSubscriptionSelect =
    "SELECT s.id, s.url, s.description, s.resources, s.actions, s.repository, s.forge, s.status, "
    "s.disabled_reason, s.consecutive_failures, s.created_at, s.updated_at, s.last_success_at, s.last_attempt_at, "
    "(SELECT count(*) FROM subscription_messages m WHERE m.subscription_id = s.id AND m.status = 'pending'), "
    "(SELECT count(*) FROM subscription_messages m WHERE m.subscription_id = s.id AND m.status = 'failed') "
    "FROM subscriptions s";

constexpr const char* kMessageColumns =
    "id, subscription_id, seq, status, attempts, enqueued_at, first_attempt_at, last_attempt_at, "
    "CASE WHEN status = 'pending' THEN next_attempt_at END, delivered_at, last_error";

// The oldest pending message of each subscription, joined to it.
constexpr const char* kHeadJoin =
    "FROM subscriptions s JOIN subscription_messages m ON m.subscription_id = s.id AND m.seq = "
    "(SELECT min(seq) FROM subscription_messages WHERE subscription_id = s.id AND status = 'pending') "
    "WHERE s.status = 'active'";

// The change counter's seq: the newest handed out, to a record or a reset point (pg_change_log.h).
constexpr const char* kNewestSeq = "(SELECT seq FROM change_counter WHERE id = 1)";

PgParam number(std::int64_t value) { return std::to_string(value); }
PgParam optionalText(const std::optional<std::string>& value) {
  return value ? PgParam(storableText(*value)) : PgParam(std::nullopt);
}
// SQLite reads a negative LIMIT as no limit; PostgreSQL refuses one and reads NULL so.
PgParam limitOf(int limit) { return limit < 0 ? PgParam(std::nullopt) : number(limit); }

std::optional<std::int64_t> optInt(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.integer(row, column);
}
std::optional<std::string> optText(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.text(row, column);
}

std::vector<std::string> namesFrom(const std::string& json) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(json)) out.push_back(v.get<std::string>());
  return out;
}

Subscription subscriptionFrom(const PgResult& r, int row) {
  Subscription sub;
  sub.id = r.integer(row, 0);
  sub.url = r.text(row, 1);
  sub.description = r.text(row, 2);
  sub.resources = namesFrom(r.text(row, 3));
  sub.actions = namesFrom(r.text(row, 4));
  sub.repository = optText(r, row, 5);
  sub.forge = optText(r, row, 6);
  sub.status = r.text(row, 7);
  sub.disabledReason = optText(r, row, 8);
  sub.consecutiveFailures = r.integer(row, 9);
  sub.createdAt = r.integer(row, 10);
  sub.updatedAt = r.integer(row, 11);
  sub.lastSuccessAt = optInt(r, row, 12);
  sub.lastAttemptAt = optInt(r, row, 13);
  sub.pending = r.integer(row, 14);
  sub.failed = r.integer(row, 15);
  return sub;
}

OutboxMessage messageFrom(const PgResult& r, int row) {
  OutboxMessage m;
  m.id = r.integer(row, 0);
  m.subscriptionId = r.integer(row, 1);
  m.seq = r.integer(row, 2);
  m.status = r.text(row, 3);
  m.attempts = r.integer(row, 4);
  m.enqueuedAt = r.integer(row, 5);
  m.firstAttemptAt = optInt(r, row, 6);
  m.lastAttemptAt = optInt(r, row, 7);
  m.nextAttemptAt = optInt(r, row, 8);
  m.deliveredAt = optInt(r, row, 9);
  m.lastError = optText(r, row, 10);
  return m;
}

core::Error noSubscription(std::int64_t id) { return core::Error::notFound("no subscription " + std::to_string(id)); }

core::Result<Subscription> readSubscription(PgConnection& c, std::int64_t id) {
  auto rows = c.exec(std::string(kSubscriptionSelect) + " WHERE s.id = $1", {number(id)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::unexpected(noSubscription(id));
  return subscriptionFrom(*rows, 0);
}

// Whether subscription `id` exists; with `lock`, its row stays locked until the transaction ends.
core::Result<bool> exists(PgConnection& c, std::int64_t id, bool lock = false) {
  auto rows =
      c.exec(std::string("SELECT 1 FROM subscriptions WHERE id = $1") + (lock ? " FOR UPDATE" : ""), {number(id)});
  if (!rows) return std::unexpected(rows.error());
  return rows->rows() > 0;
}

// Runs `sql` and reports whether it returned a row (an UPDATE or DELETE ... RETURNING 1 that found one).
core::Result<bool> touched(PgConnection& c, const std::string& sql, const std::vector<PgParam>& params) {
  auto rows = c.exec(sql, params);
  if (!rows) return std::unexpected(rows.error());
  return rows->rows() > 0;
}

core::Result<void> ok(const core::Result<PgResult>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace

core::Result<Subscription> PgSubscriptionStore::create(const SubscriptionSpec& spec, const std::string& secret,
                                                       std::int64_t now) {
  // The cursor is the newest seq committed: a transaction recording changes right now holds the
  // counter's row until it commits, so its records come after the cursor and are enqueued.
  auto id = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<std::int64_t> {
    auto row = c.exec(std::string("INSERT INTO subscriptions (url, description, resources, actions, repository, forge, "
                                  "secret, cursor, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, ") +
                          kNewestSeq + ", $8, $8) RETURNING id",
                      {storableText(spec.url), storableText(spec.description), nlohmann::json(spec.resources).dump(),
                       nlohmann::json(spec.actions).dump(), optionalText(spec.repository), optionalText(spec.forge),
                       sealer_.seal(secret), number(now)});
    if (!row) return std::unexpected(row.error());
    return row->integer(0, 0);
  });
  if (!id) return std::unexpected(id.error());
  return get(*id);
}

core::Result<std::vector<Subscription>> PgSubscriptionStore::list() {
  return pgRead(pool_, [](PgConnection& c) -> core::Result<std::vector<Subscription>> {
    auto rows = c.exec(std::string(kSubscriptionSelect) + " ORDER BY s.id");
    if (!rows) return std::unexpected(rows.error());
    std::vector<Subscription> out;
    for (int i = 0; i < rows->rows(); ++i) out.push_back(subscriptionFrom(*rows, i));
    return out;
  });
}

core::Result<Subscription> PgSubscriptionStore::get(std::int64_t id) {
  return pgRead(pool_, [id](PgConnection& c) { return readSubscription(c, id); });
}

core::Result<Subscription> PgSubscriptionStore::update(std::int64_t id, const SubscriptionPatch& p, std::int64_t now) {
  const auto json = [](const std::optional<std::vector<std::string>>& names) {
    return names ? PgParam(nlohmann::json(*names).dump()) : PgParam(std::nullopt);
  };
  auto done = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    auto found = touched(
        c,
        "UPDATE subscriptions SET url = coalesce($2::text, url), description = coalesce($3::text, description), "
        "resources = coalesce($4::text, resources), actions = coalesce($5::text, actions), "
        "repository = CASE WHEN $6::boolean THEN $7::text ELSE repository END, "
        "forge = CASE WHEN $8::boolean THEN $9::text ELSE forge END, updated_at = $10 WHERE id = $1 RETURNING 1",
        {number(id), optionalText(p.url), optionalText(p.description), json(p.resources), json(p.actions),
         p.repository ? "true" : "false", optionalText(p.repository.value_or(std::nullopt)), p.forge ? "true" : "false",
         optionalText(p.forge.value_or(std::nullopt)), number(now)});
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    if (p.url) {
      // A new address: what was backing off against the old one is due now.
      return ok(c.exec(
          "UPDATE subscription_messages SET next_attempt_at = 0 WHERE subscription_id = $1 AND status = 'pending'",
          {number(id)}));
    }
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<Subscription> PgSubscriptionStore::pause(std::int64_t id, std::int64_t now) {
  auto found = pool_.exec("UPDATE subscriptions SET status = 'paused', updated_at = $2 WHERE id = $1 RETURNING 1",
                          {number(id), number(now)});
  if (!found) return std::unexpected(found.error());
  if (found->rows() == 0) return std::unexpected(noSubscription(id));
  return get(id);
}

core::Result<Subscription> PgSubscriptionStore::resume(std::int64_t id, std::int64_t now) {
  auto done = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    auto found = touched(c,
                         "UPDATE subscriptions SET status = 'active', disabled_reason = NULL, consecutive_failures = "
                         "0, failed_streak = 0, updated_at = $2 WHERE id = $1 RETURNING 1",
                         {number(id), number(now)});
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    // The endpoint was given up on: its pending messages get a fresh retry period, starting now.
    return ok(c.exec(
        "UPDATE subscription_messages SET next_attempt_at = 0, first_attempt_at = NULL WHERE subscription_id = $1 "
        "AND status = 'pending'",
        {number(id)}));
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<Subscription> PgSubscriptionStore::rotateSecret(std::int64_t id, const std::string& secret,
                                                             std::int64_t now) {
  // A transaction for one statement: sealing may throw, which becomes Internal there.
  auto found = pgTransaction(pool_, [&](PgConnection& c) {
    return touched(c, "UPDATE subscriptions SET secret = $2, updated_at = $3 WHERE id = $1 RETURNING 1",
                   {number(id), sealer_.seal(secret), number(now)});
  });
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::unexpected(noSubscription(id));
  return get(id);
}

core::Result<void> PgSubscriptionStore::remove(std::int64_t id) {
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    auto found = touched(c, "DELETE FROM subscriptions WHERE id = $1 RETURNING 1", {number(id)});
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    for (const char* sql : {"DELETE FROM subscription_messages WHERE subscription_id = $1",
                            "DELETE FROM subscription_attempts WHERE subscription_id = $1"})
      if (auto deleted = c.exec(sql, {number(id)}); !deleted) return std::unexpected(deleted.error());
    return {};
  });
}

core::Result<std::vector<OutboxMessage>> PgSubscriptionStore::messages(std::int64_t id,
                                                                       std::optional<std::string> status, int limit) {
  return pgRead(pool_, [&](PgConnection& c) -> core::Result<std::vector<OutboxMessage>> {
    auto found = exists(c, id);
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    auto rows = c.exec(std::string("SELECT ") + kMessageColumns +
                           " FROM subscription_messages WHERE subscription_id = $1 AND ($2::text IS NULL OR status = "
                           "$2::text) ORDER BY seq DESC LIMIT $3",
                       {number(id), optionalText(status), limitOf(limit)});
    if (!rows) return std::unexpected(rows.error());
    std::vector<OutboxMessage> out;
    for (int i = 0; i < rows->rows(); ++i) out.push_back(messageFrom(*rows, i));
    return out;
  });
}

core::Result<std::vector<DeliveryAttempt>> PgSubscriptionStore::attempts(std::int64_t id, int limit) {
  return pgRead(pool_, [&](PgConnection& c) -> core::Result<std::vector<DeliveryAttempt>> {
    auto found = exists(c, id);
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    auto r = c.exec(
        "SELECT id, subscription_id, message_id, seq, attempt, at, status_code, duration_ms, response, error "
        "FROM subscription_attempts WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2",
        {number(id), limitOf(limit)});
    if (!r) return std::unexpected(r.error());
    std::vector<DeliveryAttempt> out;
    for (int i = 0; i < r->rows(); ++i) {
      DeliveryAttempt a{r->integer(i, 0), r->integer(i, 1), r->integer(i, 2), r->integer(i, 3), r->integer(i, 4),
                        r->integer(i, 5), std::nullopt,     r->integer(i, 7), r->text(i, 8),    optText(*r, i, 9)};
      if (!r->isNull(i, 6)) a.statusCode = static_cast<int>(r->integer(i, 6));
      out.push_back(std::move(a));
    }
    return out;
  });
}

core::Result<OutboxMessage> PgSubscriptionStore::retryMessage(std::int64_t id, std::int64_t messageId,
                                                              std::int64_t now) {
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<OutboxMessage> {
    auto found = exists(c, id, true);
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::unexpected(noSubscription(id));
    // Locked: of two retries at once, the second finds the message pending.
    auto s = c.exec("SELECT status FROM subscription_messages WHERE id = $1 AND subscription_id = $2 FOR UPDATE",
                    {number(messageId), number(id)});
    if (!s) return std::unexpected(s.error());
    if (s->rows() == 0)
      return std::unexpected(
          core::Error::notFound("subscription " + std::to_string(id) + " has no message " + std::to_string(messageId)));
    if (const auto status = s->text(0, 0); status != "failed")
      return std::unexpected(core::Error::conflict(
          "not_failed",
          "message " + std::to_string(messageId) + " is " + status + ", only a failed message can be retried"));
    auto u = c.exec(std::string("UPDATE subscription_messages SET status = 'pending', next_attempt_at = $2, "
                                "first_attempt_at = NULL WHERE id = $1 RETURNING ") +
                        kMessageColumns,
                    {number(messageId), number(now)});
    if (!u) return std::unexpected(u.error());
    return messageFrom(*u, 0);
  });
}

core::Result<bool> PgSubscriptionStore::behind() {
  return pgRead(pool_, [](PgConnection& c) -> core::Result<bool> {
    auto rows = c.exec(std::string("SELECT 1 FROM subscriptions WHERE cursor < ") + kNewestSeq + " LIMIT 1");
    if (!rows) return std::unexpected(rows.error());
    return rows->rows() > 0;
  });
}

core::Result<std::int64_t> PgSubscriptionStore::enqueue(std::int64_t maxChanges, std::int64_t now) {
  auto pending = behind();
  if (!pending) return std::unexpected(pending.error());
  if (!*pending) return 0;
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<std::int64_t> {
    // Every seq up to the counter's committed value is committed (a seq and its record commit
    // together), so each statement below sees all the records up to `newest`.
    auto top = c.exec(std::string("SELECT ") + kNewestSeq);
    if (!top) return std::unexpected(top.error());
    const std::int64_t newest = top->integer(0, 0);
    // Locked in id order (no two nodes wait on each other in a circle). A row another node moved
    // meanwhile is read as that node committed it: its cursor is the one this copy starts from.
    auto subs = c.exec(
        "SELECT id, cursor, resources, actions, repository, forge FROM subscriptions WHERE cursor < $1 ORDER BY id "
        "FOR UPDATE",
        {number(newest)});
    if (!subs) return std::unexpected(subs.error());
    std::int64_t enqueued = 0;
    for (int i = 0; i < subs->rows(); ++i) {
      const std::int64_t id = subs->integer(i, 0);
      const std::int64_t cursor = subs->integer(i, 1);
      const std::int64_t upTo = std::min(newest, cursor + maxChanges);
      const auto resources = namesFrom(subs->text(i, 2));
      const auto actions = namesFrom(subs->text(i, 3));
      // The repository as SQLite's COLLATE NOCASE compares it: ASCII letters folded only (lower()
      // under the "C" collation), whatever the database's collation.
      auto copied = c.exec(
          "INSERT INTO subscription_messages (subscription_id, seq, enqueued_at, at, resource, action, entity_id, "
          "forge, repository, data) SELECT $1::bigint, seq, $8::bigint, at, resource, action, entity_id, forge, "
          "repository, data FROM changes WHERE seq > $2 AND seq <= $3 "
          "AND (cardinality($4::text[]) = 0 OR resource = ANY($4::text[])) "
          "AND (cardinality($5::text[]) = 0 OR action = ANY($5::text[])) "
          "AND ($6::text IS NULL OR lower(repository COLLATE \"C\") = lower($6::text COLLATE \"C\")) "
          "AND ($7::text IS NULL OR forge = $7::text) ORDER BY seq ON CONFLICT DO NOTHING RETURNING 1",
          {number(id), number(cursor), number(upTo), pgTextArray(resources), pgTextArray(actions),
           subs->isNull(i, 4) ? PgParam(std::nullopt) : PgParam(subs->text(i, 4)),
           subs->isNull(i, 5) ? PgParam(std::nullopt) : PgParam(subs->text(i, 5)), number(now)});
      if (!copied) return std::unexpected(copied.error());
      enqueued += copied->rows();
      // A rebuild's reset points go to every subscription, whatever its filters: the rows it
      // re-creates in between are not records, and a receiver that mirrors them must refetch. The
      // data is SQLite's json_object text, byte for byte.
      auto resets = c.exec(
          "INSERT INTO subscription_messages (subscription_id, seq, enqueued_at, at, resource, action, entity_id, "
          "forge, repository, data) SELECT $1::bigint, seq, $4::bigint, at, 'feed', 'reset', reason, NULL, NULL, "
          "'{\"reason\":' || to_json(reason)::text || '}' FROM change_resets WHERE seq > $2 AND seq <= $3 "
          "ON CONFLICT DO NOTHING RETURNING 1",
          {number(id), number(cursor), number(upTo), number(now)});
      if (!resets) return std::unexpected(resets.error());
      enqueued += resets->rows();
      if (auto moved = c.exec("UPDATE subscriptions SET cursor = $2 WHERE id = $1", {number(id), number(upTo)}); !moved)
        return std::unexpected(moved.error());
    }
    return enqueued;
  });
}

core::Result<std::vector<DueMessage>> PgSubscriptionStore::due(std::int64_t now,
                                                               const std::vector<std::int64_t>& busy) {
  return pgRead(pool_, [&](PgConnection& c) -> core::Result<std::vector<DueMessage>> {
    auto r = c.exec(std::string("SELECT s.id, m.id, m.seq, s.url, s.secret, m.attempts, m.first_attempt_at, "
                                "s.failed_streak, m.at, m.resource, m.action, m.entity_id, coalesce(m.forge, ''), "
                                "coalesce(m.repository, ''), m.data ") +
                        kHeadJoin +
                        " AND m.next_attempt_at <= $1 AND s.id <> ALL($2::bigint[]) ORDER BY "
                        "m.next_attempt_at, s.id",
                    {number(now), pgBigintArray(busy)});
    if (!r) return std::unexpected(r.error());
    std::vector<DueMessage> out;
    for (int i = 0; i < r->rows(); ++i) {
      auto secret = sealer_.open(r->text(i, 4));
      if (!secret) return std::unexpected(secret.error());
      out.push_back({r->integer(i, 0), r->integer(i, 1), r->integer(i, 2), r->text(i, 3), std::move(*secret),
                     r->integer(i, 5), optInt(*r, i, 6), r->integer(i, 7), r->integer(i, 8), r->text(i, 9),
                     r->text(i, 10), r->text(i, 11), r->text(i, 12), r->text(i, 13), r->text(i, 14)});
    }
    return out;
  });
}

core::Result<std::optional<std::int64_t>> PgSubscriptionStore::nextDueAt() {
  return pgRead(pool_, [](PgConnection& c) -> core::Result<std::optional<std::int64_t>> {
    auto r = c.exec(std::string("SELECT min(m.next_attempt_at) ") + kHeadJoin);
    if (!r) return std::unexpected(r.error());
    if (r->rows() == 0) return std::optional<std::int64_t>{};
    return optInt(*r, 0, 0);
  });
}

core::Result<void> PgSubscriptionStore::recordAttempt(const AttemptOutcome& o) {
  const auto& a = o.attempt;
  using Next = AttemptOutcome::Next;
  return pgTransaction(pool_, [&](PgConnection& c) -> core::Result<void> {
    // The subscription first, as every writer of its outbox locks it: none waits on another in a circle.
    auto found = exists(c, a.subscriptionId, true);
    if (!found) return std::unexpected(found.error());
    if (*found) {
      auto logged = c.exec(
          "INSERT INTO subscription_attempts (subscription_id, message_id, seq, attempt, at, status_code, "
          "duration_ms, response, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {number(a.subscriptionId), number(a.messageId), number(a.seq), number(a.attempt), number(a.at),
           a.statusCode ? number(*a.statusCode) : PgParam(std::nullopt), number(a.durationMs),
           storableText(a.responseExcerpt), optionalText(a.error)});
      if (!logged) return std::unexpected(logged.error());
    }
    const char* status = o.next == Next::Delivered ? "delivered" : o.next == Next::Failed ? "failed" : "pending";
    auto msg = c.exec(
        "UPDATE subscription_messages SET status = $2::text, attempts = attempts + 1, "
        "first_attempt_at = coalesce(first_attempt_at, $3::bigint), last_attempt_at = $3::bigint, "
        "next_attempt_at = $4, delivered_at = CASE WHEN $2::text = 'delivered' THEN $3::bigint END, "
        "last_error = $5 WHERE id = $1 AND status = 'pending'",
        {number(a.messageId), status, number(a.at), number(o.next == Next::RetryAt ? o.retryAt : 0),
         optionalText(o.next == Next::Delivered ? std::nullopt : a.error)});
    if (!msg) return std::unexpected(msg.error());
    auto sub = o.next == Next::Delivered
                   ? c.exec(
                         "UPDATE subscriptions SET consecutive_failures = 0, failed_streak = 0, last_success_at = "
                         "$2, last_attempt_at = $2 WHERE id = $1",
                         {number(a.subscriptionId), number(a.at)})
                   : c.exec(
                         "UPDATE subscriptions SET consecutive_failures = consecutive_failures + 1, "
                         "failed_streak = failed_streak + $3, last_attempt_at = $2 WHERE id = $1",
                         {number(a.subscriptionId), number(a.at), number(o.next == Next::Failed ? 1 : 0)});
    if (!sub) return std::unexpected(sub.error());
    if (o.disableReason)
      return ok(c.exec(
          "UPDATE subscriptions SET status = 'disabled', disabled_reason = $2, updated_at = $3 WHERE id = $1 AND "
          "status = 'active'",
          {number(a.subscriptionId), storableText(*o.disableReason), number(a.at)}));
    return {};
  });
}

core::Result<std::int64_t> PgSubscriptionStore::prune(const OutboxRetention& retention, std::int64_t now) {
  const std::int64_t cutoff = now - retention.maxAgeMicros;
  std::int64_t removed = 0;
  // One batch per statement (its own transaction), as SQLite's deleteInBatches; rows another node
  // prunes, or a writer holds, are skipped, so a prune never waits on nor deadlocks with them.
  for (const char* sql :
       {"DELETE FROM subscription_attempts WHERE id IN (SELECT id FROM subscription_attempts WHERE at < $1 LIMIT $2 "
        "FOR UPDATE SKIP LOCKED) RETURNING 1",
        "DELETE FROM subscription_messages WHERE id IN (SELECT id FROM subscription_messages WHERE status <> "
        "'pending' AND last_attempt_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1"}) {
    for (bool first = true;; first = false) {
      if (!first && retention.between && !retention.between()) break;
      auto deleted = pool_.exec(sql, {number(cutoff), number(kPruneBatch)});
      if (!deleted) return std::unexpected(deleted.error());
      removed += deleted->rows();
      if (deleted->rows() < kPruneBatch) break;
    }
  }
  return removed;
}

}  // namespace forgehook::store::postgres
