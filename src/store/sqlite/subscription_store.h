#pragma once
// Outbound subscriptions, their outbox and attempt log on SQLite (tables subscriptions,
// subscription_messages, subscription_attempts of migration 5). The secret column holds the
// signing secret sealed by the SecretSealer (migration 5 stored it plain; the start-up reseal seals
// what an earlier version left). Thread-safe.
#include "store/secret_sealer.h"
#include "store/sqlite/database.h"
#include "store/subscription_store.h"

namespace forgehook::store::sqlite {

class SqliteSubscriptionStore final : public SubscriptionStore {
 public:
  // Requires: `sealer` outlives this store.
  SqliteSubscriptionStore(Database& db, const SecretSealer& sealer) : db_(db), sealer_(sealer) {}

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
  Database& db_;
  const SecretSealer& sealer_;
};

}  // namespace forgehook::store::sqlite
