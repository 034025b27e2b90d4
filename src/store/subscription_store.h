#pragma once
// Outbound subscriptions: callback URLs that receive the change feed's records (signed POSTs), and
// their durable outbox. A dispatcher copies each subscription's matching changes into its outbox in
// the same transaction that moves the subscription's cursor over the feed, so a change is enqueued
// exactly once whatever stops the process, and feed pruning cannot take an enqueued change away.
// Messages of one subscription are delivered in seq order: only the oldest pending one is due.
// Implementations are thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace forgehook::store {

// Times in Unix microseconds unless named otherwise.
struct Subscription {
  std::int64_t id = 0;
  std::string url, description;
  std::vector<std::string> resources;  // change-feed resource names; empty: every one
  std::vector<std::string> actions;    // created | updated | deleted; empty: every one
  std::optional<std::string> repository, forge;
  std::string status = "active";  // active | paused | disabled
  std::optional<std::string> disabledReason;
  std::int64_t consecutiveFailures = 0;  // failed attempts since the last success (or resume)
  std::int64_t createdAt = 0, updatedAt = 0;
  std::optional<std::int64_t> lastSuccessAt, lastAttemptAt;
  std::int64_t pending = 0, failed = 0;  // messages in the outbox by status
};

// What a subscription is asked to be (create) or to become (update: absent fields stay).
struct SubscriptionSpec {
  std::string url = {}, description = {};
  std::vector<std::string> resources = {}, actions = {};
  std::optional<std::string> repository = {}, forge = {};
};
struct SubscriptionPatch {
  std::optional<std::string> url, description;
  std::optional<std::vector<std::string>> resources, actions;
  std::optional<std::optional<std::string>> repository, forge;  // engaged with nullopt: cleared
};

struct OutboxMessage {
  std::int64_t id = 0, subscriptionId = 0, seq = 0;
  std::string status;  // pending | delivered | failed
  std::int64_t attempts = 0;
  std::int64_t enqueuedAt = 0;
  std::optional<std::int64_t> firstAttemptAt, lastAttemptAt, nextAttemptAt, deliveredAt;
  std::optional<std::string> lastError;
};

struct DeliveryAttempt {
  std::int64_t id = 0, subscriptionId = 0, messageId = 0, seq = 0;
  std::int64_t attempt = 0;  // 1 for a message's first
  std::int64_t at = 0;
  std::optional<int> statusCode;  // absent when no response came
  std::int64_t durationMs = 0;
  std::string responseExcerpt;  // at most 1 KB of the response body
  std::optional<std::string> error;
};

// The oldest pending message of an active subscription, with what sending it needs.
struct DueMessage {
  std::int64_t subscriptionId = 0, messageId = 0, seq = 0;
  std::string url, secret;
  std::int64_t attempts = 0;  // made so far
  std::optional<std::int64_t> firstAttemptAt;
  std::int64_t failedStreak = 0;  // the subscription's failed messages since its last success
  std::int64_t atMicros = 0;      // the change's: the record as the change feed has it
  std::string resource, action, entityId, forge, repository, dataJson;
};

// What became of one attempt, decided by the dispatcher.
struct AttemptOutcome {
  DeliveryAttempt attempt;
  enum class Next { Delivered, RetryAt, Failed } next = Next::Delivered;
  std::int64_t retryAt = 0;                  // for RetryAt
  std::optional<std::string> disableReason;  // set: the subscription is disabled with this reason
};

struct OutboxRetention {
  std::int64_t maxAgeMicros = 7LL * 86400 * 1'000'000;  // delivered/failed messages and attempts
  std::function<bool()> between{};  // as ChangeRetention::between
};

class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;

  // Creates a subscription following the feed from its newest seq (changes committed after this).
  // `secret` is kept as given (no validation here), sealed at rest by the backend's SecretSealer.
  // Errors: Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> create(const SubscriptionSpec& spec, const std::string& secret,
                                                          std::int64_t now) = 0;
  [[nodiscard]] virtual core::Result<std::vector<Subscription>> list() = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> get(std::int64_t id) = 0;
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> update(std::int64_t id, const SubscriptionPatch& patch,
                                                          std::int64_t now) = 0;
  // Paused subscriptions keep enqueuing and send nothing. Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> pause(std::int64_t id, std::int64_t now) = 0;
  // Active again (from paused or disabled): failure counts reset, the pending head is due now.
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> resume(std::int64_t id, std::int64_t now) = 0;
  // Replaces the signing secret: attempts from now on are signed with `secret` only.
  // Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<Subscription> rotateSecret(std::int64_t id, const std::string& secret,
                                                                std::int64_t now) = 0;
  // Deletes the subscription, its outbox and its attempts. Errors: NotFound; Unavailable.
  [[nodiscard]] virtual core::Result<void> remove(std::int64_t id) = 0;
  // Newest first. Errors: NotFound (no such subscription); Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<OutboxMessage>> messages(std::int64_t id,
                                                                          std::optional<std::string> status,
                                                                          int limit) = 0;
  [[nodiscard]] virtual core::Result<std::vector<DeliveryAttempt>> attempts(std::int64_t id, int limit) = 0;
  // A failed message back to pending, due now, its retry period starting over. Errors: NotFound;
  // Conflict when the message is not failed; Unavailable.
  [[nodiscard]] virtual core::Result<OutboxMessage> retryMessage(std::int64_t id, std::int64_t messageId,
                                                                 std::int64_t now) = 0;

  // The dispatcher's side.
  // Copies the changes after each subscription's cursor that match its filters into its outbox
  // and moves the cursor, at most `maxChanges` seqs per subscription, in one transaction. Returns
  // how many messages were enqueued; a call with nothing new writes nothing. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> enqueue(std::int64_t maxChanges, std::int64_t now) = 0;
  // True when some subscription's cursor is behind the feed's newest seq. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<bool> behind() = 0;
  // The head message of each active subscription whose next attempt is due at `now`, except the
  // subscriptions in `busy`. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<DueMessage>> due(std::int64_t now,
                                                                  const std::vector<std::int64_t>& busy) = 0;
  // When the earliest head message of an active subscription comes due (nothing: none pending).
  [[nodiscard]] virtual core::Result<std::optional<std::int64_t>> nextDueAt() = 0;
  // Logs the attempt and applies its outcome to the message and the subscription, in one
  // transaction. A message or subscription deleted meanwhile is not an error. Errors: Unavailable.
  // Delivered resets the subscription's failure counts; RetryAt counts a failed attempt; Failed
  // also counts a failed message (DueMessage::failedStreak).
  [[nodiscard]] virtual core::Result<void> recordAttempt(const AttemptOutcome& outcome) = 0;
  // Deletes delivered and failed messages and attempts older than the retention. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> prune(const OutboxRetention& retention, std::int64_t now) = 0;
};

}  // namespace forgehook::store
