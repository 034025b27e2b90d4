#pragma once
// The records the delivery log holds: what ingest appends, and what the API reads back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace forgehook::store {

// A verified delivery, ready to commit. The body is already encoded (see body_codec.h) so the
// costly compression runs on the I/O threads, not on the single writer.
struct NewDelivery {
  std::string forge;       // core::forgeName(): "github", "gitlab" or "gitea"
  std::string hookId;      // "" when the forge sends none
  std::string deliveryId;  // forge's delivery/idempotency id: dedupe key with forge and hookId
  std::string event;
  std::string action;      // "" when the payload has none
  std::string repository;  // "owner/name", "" when none
  std::string sender;
  std::string contentType;      // "application/json" | "application/x-www-form-urlencoded"
  std::string verification;     // scheme that verified it: "sha256", "token", ..., or "unsigned"
  std::string headersJson;      // sanitized request headers as a JSON object
  std::int64_t receivedAt = 0;  // Unix microseconds
  std::int64_t bodySize = 0;    // bytes as received
  std::string body;             // encoded raw body
  std::string bodyEncoding;     // "identity" | "zstd"
  bool isPing = false;          // GitHub ping: also records the hook
  // How it reached us: "webhook" (pushed by the forge) or "poll" (fetched from the Events API).
  std::string source = "webhook";
};

enum class AppendStatus { Inserted, Duplicate };

struct AppendOutcome {
  AppendStatus status = AppendStatus::Inserted;
  std::int64_t id = 0;  // the delivery's row id (the first one's, for a duplicate)
};

struct DeliverySummary {
  std::int64_t id = 0;
  std::string forge, deliveryId, hookId, event, action, repository, sender, contentType, verification, status;
  std::string source{};  // NewDelivery::source
  std::int64_t receivedAt = 0, lastAttemptAt = 0, attempts = 0, bodySize = 0;
  // When retention pruned the body (Unix microseconds); headers and summary stay. See body_retention.h.
  std::optional<std::int64_t> bodyPrunedAt{};
};

struct DeliveryDetail : DeliverySummary {
  std::string headersJson;
  std::string rawBody;  // decoded back to the bytes as received; empty when the body was pruned
};

struct DeliveryFilter {
  std::optional<std::string> forge, event, repository, status;
  std::optional<std::string> deliveryId{};  // the forge's delivery id (GUID), in any forge or hook
  std::optional<std::int64_t> sinceMicros;  // inclusive
  std::optional<std::int64_t> untilMicros;  // exclusive
  std::optional<std::int64_t> beforeId;     // cursor: rows with id < beforeId
  std::optional<std::int64_t> id;           // exactly this delivery (replay of one)
  std::optional<std::int64_t> idAbove, idAtMost;  // ids in (idAbove, idAtMost]: a rebuild's chunk
  int limit = 50;
  bool withBodyOnly = false;  // only deliveries whose body was not pruned (the ones that can be processed)
};

struct DeliveryPage {
  std::vector<DeliverySummary> deliveries;  // newest first
  std::optional<std::int64_t> nextCursor;
};

// Secrets stored for one hook or one repository; they take precedence over configured ones.
struct ScopedSecrets {
  std::string forge;
  std::string scope;  // "hook" | "repository"
  std::string key;    // hook id or "owner/name"
  std::vector<std::string> secrets;
};

}  // namespace forgehook::store
