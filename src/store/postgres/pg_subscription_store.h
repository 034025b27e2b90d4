#pragma once
// Outbound subscriptions, their outbox and attempt log on PostgreSQL (tables subscriptions,
// subscription_messages, subscription_attempts), with the SQLite store's semantics; the secret
// column holds the signing secret sealed by the SecretSealer. Thread-safe, and nodes sharing the
// database may call it at once: what SQLite's single writer serializes, row locks serialize here.
// Every transaction that changes a subscription's outbox or its cursor locks the subscription's row
// first (enqueue locks all it moves, in id order), so two nodes enqueueing at once copy each change
// once: the second waits, then reads the cursor the first committed. Only prune takes outbox rows
// without that lock, and it skips rows others hold.
#include "store/postgres/pg_pool.h"
#include "store/secret_sealer.h"
#include "store/subscription_store.h"

namespace forgehook::store::postgres {

class PgSubscriptionStore final : public SubscriptionStore {
 public:
  // Requires: `pool` and `sealer` outlive this store.
  PgSubscriptionStore(PgPool& pool, const SecretSealer& sealer) : pool_(pool), sealer_(sealer) {}

  core::Result<Subscription> create(const SubscriptionSpec& spec, const std::string& secret, std::int64_t now) override;
  core::Result<std::vector<Subscription>> list() override;
  core::Result<Subscription> get(std::int64_t id) override;
  core::Result<Subscription> update(std::int64_t id, const SubscriptionPatch& patch, std::int64_t now) override;
  core::Result<Subscription> pause(std::int64_t id, std::int64_t now) override;
  core::Result<Subscription> resume(std::int64_t id, std::int64_t now) override;
  core::Result<Subscription> rotateSecret(std::int64_t id, const std::string& secret, std::int64_t now) override;
  core::Result<void> remove(std::int64_t id) override;
  core::Result<std::vector<OutboxMessage>> messages(std::int64_t id, std::optional<std::string> status,
                                                    int limit) override;
  core::Result<std::vector<DeliveryAttempt>> attempts(std::int64_t id, int limit) override;
  core::Result<OutboxMessage> retryMessage(std::int64_t id, std::int64_t messageId, std::int64_t now) override;
  core::Result<std::int64_t> enqueue(std::int64_t maxChanges, std::int64_t now) override;
  core::Result<bool> behind() override;
  core::Result<std::vector<DueMessage>> due(std::int64_t now, const std::vector<std::int64_t>& busy) override;
  core::Result<std::optional<std::int64_t>> nextDueAt() override;
  core::Result<void> recordAttempt(const AttemptOutcome& outcome) override;
  core::Result<std::int64_t> prune(const OutboxRetention& retention, std::int64_t now) override;

 private:
  PgPool& pool_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::postgres
