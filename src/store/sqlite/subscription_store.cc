#include "store/sqlite/subscription_store.h"

#include <nlohmann/json.hpp>

namespace forgehook::store::sqlite {
namespace {

constexpr int kPruneBatch = 2000;

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

std::optional<std::int64_t> optInt(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.integer(column);
}
std::optional<std::string> optText(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.text(column);
}
Statement& bindOpt(Statement& s, int index, const std::optional<std::string>& value) {
  return value ? s.bind(index, *value) : s.bindNull(index);
}

std::vector<std::string> namesFrom(const std::string& json) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(json)) out.push_back(v.get<std::string>());
  return out;
}

Subscription subscriptionFrom(const Statement& s) {
  Subscription sub;
  sub.id = s.integer(0);
  sub.url = s.text(1);
  sub.description = s.text(2);
  sub.resources = namesFrom(s.text(3));
  sub.actions = namesFrom(s.text(4));
  sub.repository = optText(s, 5);
  sub.forge = optText(s, 6);
  sub.status = s.text(7);
  sub.disabledReason = optText(s, 8);
  sub.consecutiveFailures = s.integer(9);
  sub.createdAt = s.integer(10);
  sub.updatedAt = s.integer(11);
  sub.lastSuccessAt = optInt(s, 12);
  sub.lastAttemptAt = optInt(s, 13);
  sub.pending = s.integer(14);
  sub.failed = s.integer(15);
  return sub;
}

OutboxMessage messageFrom(const Statement& s) {
  OutboxMessage m;
  m.id = s.integer(0);
  m.subscriptionId = s.integer(1);
  m.seq = s.integer(2);
  m.status = s.text(3);
  m.attempts = s.integer(4);
  m.enqueuedAt = s.integer(5);
  m.firstAttemptAt = optInt(s, 6);
  m.lastAttemptAt = optInt(s, 7);
  m.nextAttemptAt = optInt(s, 8);
  m.deliveredAt = optInt(s, 9);
  m.lastError = optText(s, 10);
  return m;
}

core::Error noSubscription(std::int64_t id) { return core::Error::notFound("no subscription " + std::to_string(id)); }

// Reads one subscription on `db` (a read connection or the write connection inside write()).
core::Result<Subscription> readSubscription(sqlite3* db, std::int64_t id) {
  Statement s(db, std::string(kSubscriptionSelect) + " WHERE s.id = ?1");
  s.bind(1, id);
  if (s.step() != SQLITE_ROW) return std::unexpected(noSubscription(id));
  return subscriptionFrom(s);
}

bool exists(sqlite3* db, std::int64_t id) {
  Statement s(db, "SELECT 1 FROM subscriptions WHERE id = ?1");
  s.bind(1, id);
  return s.step() == SQLITE_ROW;
}

std::int64_t newestSeq(sqlite3* db) {
  Statement s(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
  return s.step() == SQLITE_ROW ? s.integer(0) : 0;
}

}  // namespace

core::Result<Subscription> SqliteSubscriptionStore::create(const SubscriptionSpec& spec, const std::string& secret,
                                                           std::int64_t now) {
  std::int64_t id = 0;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "INSERT INTO subscriptions (url, description, resources, actions, repository, forge, secret, cursor, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id");
    s.bind(1, spec.url).bind(2, spec.description);
    s.bind(3, nlohmann::json(spec.resources).dump()).bind(4, nlohmann::json(spec.actions).dump());
    bindOpt(s, 5, spec.repository);
    bindOpt(s, 6, spec.forge);
    s.bind(7, sealer_.seal(secret)).bind(8, newestSeq(db)).bind(9, now);
    must(s.step(), SQLITE_ROW);
    id = s.integer(0);
    must(s.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<std::vector<Subscription>> SqliteSubscriptionStore::list() {
  return db_.read<std::vector<Subscription>>([](sqlite3* db) -> core::Result<std::vector<Subscription>> {
    Statement s(db, std::string(kSubscriptionSelect) + " ORDER BY s.id");
    std::vector<Subscription> out;
    while (s.step() == SQLITE_ROW) out.push_back(subscriptionFrom(s));
    return out;
  });
}

core::Result<Subscription> SqliteSubscriptionStore::get(std::int64_t id) {
  return db_.read<Subscription>([id](sqlite3* db) { return readSubscription(db, id); });
}

core::Result<Subscription> SqliteSubscriptionStore::update(std::int64_t id, const SubscriptionPatch& p,
                                                           std::int64_t now) {
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    if (!exists(db, id)) return std::unexpected(noSubscription(id));
    Statement s(db,
                "UPDATE subscriptions SET url = coalesce(?2, url), description = coalesce(?3, description), "
                "resources = coalesce(?4, resources), actions = coalesce(?5, actions), "
                "repository = CASE WHEN ?6 THEN ?7 ELSE repository END, forge = CASE WHEN ?8 THEN ?9 ELSE forge END, "
                "updated_at = ?10 WHERE id = ?1");
    s.bind(1, id);
    bindOpt(s, 2, p.url);
    bindOpt(s, 3, p.description);
    bindOpt(s, 4, p.resources ? std::optional(nlohmann::json(*p.resources).dump()) : std::nullopt);
    bindOpt(s, 5, p.actions ? std::optional(nlohmann::json(*p.actions).dump()) : std::nullopt);
    s.bind(6, std::int64_t{p.repository.has_value()});
    bindOpt(s, 7, p.repository.value_or(std::nullopt));
    s.bind(8, std::int64_t{p.forge.has_value()});
    bindOpt(s, 9, p.forge.value_or(std::nullopt));
    s.bind(10, now);
    must(s.step());
    if (p.url) {
      // A new address: what was backing off against the old one is due now.
      Statement due(db,
                    "UPDATE subscription_messages SET next_attempt_at = 0 WHERE subscription_id = ?1 AND "
                    "status = 'pending'");
      due.bind(1, id);
      must(due.step());
    }
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<Subscription> SqliteSubscriptionStore::pause(std::int64_t id, std::int64_t now) {
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "UPDATE subscriptions SET status = 'paused', updated_at = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, now);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(noSubscription(id));
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<Subscription> SqliteSubscriptionStore::resume(std::int64_t id, std::int64_t now) {
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "UPDATE subscriptions SET status = 'active', disabled_reason = NULL, consecutive_failures = 0, "
                "failed_streak = 0, updated_at = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, now);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(noSubscription(id));
    // The endpoint was given up on: its pending messages get a fresh retry period, starting now.
    Statement m(db,
                "UPDATE subscription_messages SET next_attempt_at = 0, first_attempt_at = NULL "
                "WHERE subscription_id = ?1 AND status = 'pending'");
    m.bind(1, id);
    must(m.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<Subscription> SqliteSubscriptionStore::rotateSecret(std::int64_t id, const std::string& secret,
                                                                 std::int64_t now) {
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "UPDATE subscriptions SET secret = ?2, updated_at = ?3 WHERE id = ?1");
    s.bind(1, id).bind(2, sealer_.seal(secret)).bind(3, now);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(noSubscription(id));
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return get(id);
}

core::Result<void> SqliteSubscriptionStore::remove(std::int64_t id) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "DELETE FROM subscriptions WHERE id = ?1");
    s.bind(1, id);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(noSubscription(id));
    for (const char* sql : {"DELETE FROM subscription_messages WHERE subscription_id = ?1",
                            "DELETE FROM subscription_attempts WHERE subscription_id = ?1"}) {
      Statement d(db, sql);
      d.bind(1, id);
      must(d.step());
    }
    return {};
  });
}

core::Result<std::vector<OutboxMessage>> SqliteSubscriptionStore::messages(std::int64_t id,
                                                                           std::optional<std::string> status,
                                                                           int limit) {
  return db_.read<std::vector<OutboxMessage>>([&](sqlite3* db) -> core::Result<std::vector<OutboxMessage>> {
    if (!exists(db, id)) return std::unexpected(noSubscription(id));
    Statement s(db, std::string("SELECT ") + kMessageColumns +
                        " FROM subscription_messages WHERE subscription_id = ?1 AND (?2 IS NULL OR status = ?2) "
                        "ORDER BY seq DESC LIMIT ?3");
    s.bind(1, id);
    bindOpt(s, 2, status);
    s.bind(3, std::int64_t{limit});
    std::vector<OutboxMessage> out;
    while (s.step() == SQLITE_ROW) out.push_back(messageFrom(s));
    return out;
  });
}

core::Result<std::vector<DeliveryAttempt>> SqliteSubscriptionStore::attempts(std::int64_t id, int limit) {
  return db_.read<std::vector<DeliveryAttempt>>([&](sqlite3* db) -> core::Result<std::vector<DeliveryAttempt>> {
    if (!exists(db, id)) return std::unexpected(noSubscription(id));
    Statement s(db,
                "SELECT id, subscription_id, message_id, seq, attempt, at, status_code, duration_ms, response, error "
                "FROM subscription_attempts WHERE subscription_id = ?1 ORDER BY id DESC LIMIT ?2");
    s.bind(1, id).bind(2, std::int64_t{limit});
    std::vector<DeliveryAttempt> out;
    while (s.step() == SQLITE_ROW) {
      DeliveryAttempt a{s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4),
                        s.integer(5), std::nullopt, s.integer(7), s.text(8),    optText(s, 9)};
      if (!s.isNull(6)) a.statusCode = static_cast<int>(s.integer(6));
      out.push_back(std::move(a));
    }
    return out;
  });
}

core::Result<OutboxMessage> SqliteSubscriptionStore::retryMessage(std::int64_t id, std::int64_t messageId,
                                                                  std::int64_t now) {
  OutboxMessage out;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    if (!exists(db, id)) return std::unexpected(noSubscription(id));
    Statement s(db, "SELECT status FROM subscription_messages WHERE id = ?1 AND subscription_id = ?2");
    s.bind(1, messageId).bind(2, id);
    if (s.step() != SQLITE_ROW)
      return std::unexpected(
          core::Error::notFound("subscription " + std::to_string(id) + " has no message " + std::to_string(messageId)));
    if (const auto status = s.text(0); status != "failed")
      return std::unexpected(core::Error::conflict(
          "not_failed",
          "message " + std::to_string(messageId) + " is " + status + ", only a failed message can be retried"));
    Statement u(db, std::string("UPDATE subscription_messages SET status = 'pending', next_attempt_at = ?2, "
                                "first_attempt_at = NULL WHERE id = ?1 RETURNING ") +
                        kMessageColumns);
    u.bind(1, messageId).bind(2, now);
    must(u.step(), SQLITE_ROW);
    out = messageFrom(u);
    must(u.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return out;
}

core::Result<bool> SqliteSubscriptionStore::behind() {
  return db_.read<bool>([](sqlite3* db) -> core::Result<bool> {
    Statement s(db, "SELECT 1 FROM subscriptions WHERE cursor < ?1 LIMIT 1");
    s.bind(1, newestSeq(db));
    return s.step() == SQLITE_ROW;
  });
}

core::Result<std::int64_t> SqliteSubscriptionStore::enqueue(std::int64_t maxChanges, std::int64_t now) {
  auto pending = behind();
  if (!pending) return std::unexpected(pending.error());
  if (!*pending) return 0;
  std::int64_t enqueued = 0;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    const std::int64_t newest = newestSeq(db);
    Statement subs(db, "SELECT id, cursor, resources, actions, repository, forge FROM subscriptions WHERE cursor < ?1");
    subs.bind(1, newest);
    Statement insert(db,
                     "INSERT OR IGNORE INTO subscription_messages (subscription_id, seq, enqueued_at, at, resource, "
                     "action, entity_id, forge, repository, data) SELECT ?1, seq, ?8, at, resource, action, entity_id, "
                     "forge, repository, data FROM changes WHERE seq > ?2 AND seq <= ?3 "
                     "AND (?4 = '[]' OR resource IN (SELECT value FROM json_each(?4))) "
                     "AND (?5 = '[]' OR action IN (SELECT value FROM json_each(?5))) "
                     "AND (?6 IS NULL OR repository = ?6 COLLATE NOCASE) AND (?7 IS NULL OR forge = ?7) ORDER BY seq");
    // A rebuild's reset points go to every subscription, whatever its filters: the rows it re-creates
    // in between are not records, and a receiver that mirrors them must refetch.
    Statement insertResets(db,
                           "INSERT OR IGNORE INTO subscription_messages (subscription_id, seq, enqueued_at, at, "
                           "resource, action, entity_id, forge, repository, data) SELECT ?1, seq, ?4, at, 'feed', "
                           "'reset', reason, NULL, NULL, json_object('reason', reason) FROM change_resets "
                           "WHERE seq > ?2 AND seq <= ?3");
    Statement move(db, "UPDATE subscriptions SET cursor = ?2 WHERE id = ?1");
    struct Behind {
      std::int64_t id, cursor;
      std::string resources, actions;
      std::optional<std::string> repository, forge;
    };
    std::vector<Behind> all;  // read first: the loop below updates the rows this scans
    while (subs.step() == SQLITE_ROW)
      all.push_back({subs.integer(0), subs.integer(1), subs.text(2), subs.text(3), optText(subs, 4), optText(subs, 5)});
    for (const auto& b : all) {
      const std::int64_t id = b.id;
      const std::int64_t upTo = std::min(newest, b.cursor + maxChanges);
      insert.bind(1, id).bind(2, b.cursor).bind(3, upTo).bind(4, b.resources).bind(5, b.actions);
      bindOpt(insert, 6, b.repository);
      bindOpt(insert, 7, b.forge);
      insert.bind(8, now);
      must(insert.run());
      enqueued += sqlite3_changes(db);
      must(insertResets.bind(1, id).bind(2, b.cursor).bind(3, upTo).bind(4, now).run());
      enqueued += sqlite3_changes(db);
      move.bind(1, id).bind(2, upTo);
      must(move.run());
    }
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return enqueued;
}

core::Result<std::vector<DueMessage>> SqliteSubscriptionStore::due(std::int64_t now,
                                                                   const std::vector<std::int64_t>& busy) {
  return db_.read<std::vector<DueMessage>>([&](sqlite3* db) -> core::Result<std::vector<DueMessage>> {
    Statement s(db, std::string("SELECT s.id, m.id, m.seq, s.url, s.secret, m.attempts, m.first_attempt_at, "
                                "s.failed_streak, m.at, m.resource, m.action, m.entity_id, coalesce(m.forge, ''), "
                                "coalesce(m.repository, ''), m.data ") +
                        kHeadJoin +
                        " AND m.next_attempt_at <= ?1 AND s.id NOT IN (SELECT value FROM json_each(?2)) ORDER BY "
                        "m.next_attempt_at, s.id");
    s.bind(1, now).bind(2, nlohmann::json(busy).dump());
    std::vector<DueMessage> out;
    while (s.step() == SQLITE_ROW) {
      auto secret = sealer_.open(s.text(4));
      if (!secret) return std::unexpected(secret.error());
      out.push_back({s.integer(0), s.integer(1), s.integer(2), s.text(3), std::move(*secret), s.integer(5),
                     optInt(s, 6), s.integer(7), s.integer(8), s.text(9), s.text(10), s.text(11), s.text(12),
                     s.text(13), s.text(14)});
    }
    return out;
  });
}

core::Result<std::optional<std::int64_t>> SqliteSubscriptionStore::nextDueAt() {
  return db_.read<std::optional<std::int64_t>>([](sqlite3* db) -> core::Result<std::optional<std::int64_t>> {
    Statement s(db, std::string("SELECT min(m.next_attempt_at) ") + kHeadJoin);
    if (s.step() != SQLITE_ROW) return std::optional<std::int64_t>{};
    return optInt(s, 0);
  });
}

core::Result<void> SqliteSubscriptionStore::recordAttempt(const AttemptOutcome& o) {
  const auto& a = o.attempt;
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement log(db,
                  "INSERT INTO subscription_attempts (subscription_id, message_id, seq, attempt, at, status_code, "
                  "duration_ms, response, error) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
                  "WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = ?1)");
    log.bind(1, a.subscriptionId).bind(2, a.messageId).bind(3, a.seq).bind(4, a.attempt).bind(5, a.at);
    if (a.statusCode)
      log.bind(6, std::int64_t{*a.statusCode});
    else
      log.bindNull(6);
    log.bind(7, a.durationMs).bind(8, a.responseExcerpt);
    bindOpt(log, 9, a.error);
    must(log.step());
    using Next = AttemptOutcome::Next;
    const char* status = o.next == Next::Delivered ? "delivered" : o.next == Next::Failed ? "failed" : "pending";
    Statement msg(db,
                  "UPDATE subscription_messages SET status = ?2, attempts = attempts + 1, "
                  "first_attempt_at = coalesce(first_attempt_at, ?3), last_attempt_at = ?3, next_attempt_at = ?4, "
                  "delivered_at = CASE WHEN ?2 = 'delivered' THEN ?3 END, last_error = ?5 "
                  "WHERE id = ?1 AND status = 'pending'");
    msg.bind(1, a.messageId).bind(2, status).bind(3, a.at).bind(4, o.next == Next::RetryAt ? o.retryAt : 0);
    bindOpt(msg, 5, o.next == Next::Delivered ? std::nullopt : a.error);
    must(msg.step());
    Statement sub(db,
                  o.next == Next::Delivered
                      ? "UPDATE subscriptions SET consecutive_failures = 0, failed_streak = 0, last_success_at = ?2, "
                        "last_attempt_at = ?2 WHERE id = ?1"
                      : "UPDATE subscriptions SET consecutive_failures = consecutive_failures + 1, "
                        "failed_streak = failed_streak + ?3, last_attempt_at = ?2 WHERE id = ?1");
    sub.bind(1, a.subscriptionId).bind(2, a.at);
    if (o.next != Next::Delivered) sub.bind(3, std::int64_t{o.next == Next::Failed});
    must(sub.step());
    if (o.disableReason) {
      Statement off(db,
                    "UPDATE subscriptions SET status = 'disabled', disabled_reason = ?2, updated_at = ?3 "
                    "WHERE id = ?1 AND status = 'active'");
      off.bind(1, a.subscriptionId).bind(2, *o.disableReason).bind(3, a.at);
      must(off.step());
    }
    return {};
  });
}

core::Result<std::int64_t> SqliteSubscriptionStore::prune(const OutboxRetention& retention, std::int64_t now) {
  const std::int64_t cutoff = now - retention.maxAgeMicros;
  std::int64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM subscription_attempts WHERE id IN (SELECT id FROM subscription_attempts WHERE at < ?1 LIMIT ?2)",
        "DELETE FROM subscription_messages WHERE id IN (SELECT id FROM subscription_messages WHERE status <> "
        "'pending' AND last_attempt_at < ?1 LIMIT ?2)"}) {
    auto deleted = db_.deleteInBatches(
        sql, [&](Statement& s) { s.bind(1, cutoff).bind(2, std::int64_t{kPruneBatch}); }, kPruneBatch,
        retention.between);
    if (!deleted) return std::unexpected(deleted.error());
    removed += *deleted;
  }
  return removed;
}

}  // namespace forgehook::store::sqlite
