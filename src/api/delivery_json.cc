#include "api/delivery_json.h"

#include <nlohmann/json.hpp>

#include "core/form.h"
#include "core/time.h"

namespace forgehook::api {
namespace {

nlohmann::json orNull(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

}  // namespace

nlohmann::json summaryJson(const store::DeliverySummary& d) {
  return {{"id", d.id},
          {"forge", d.forge},
          {"delivery_id", d.deliveryId},
          {"hook_id", orNull(d.hookId)},
          {"event", d.event},
          {"action", orNull(d.action)},
          {"repository", orNull(d.repository)},
          {"sender", orNull(d.sender)},
          {"received_at", core::formatRfc3339(d.receivedAt)},
          {"last_attempt_at", core::formatRfc3339(d.lastAttemptAt)},
          {"attempts", d.attempts},
          {"body_size", d.bodySize},
          {"content_type", d.contentType},
          {"verification", d.verification},
          {"source", d.source},
          {"body_pruned", d.bodyPrunedAt.has_value()},
          {"status", d.status}};
}

nlohmann::json detailJson(const store::DeliveryDetail& d) {
  auto out = summaryJson(d);
  out["headers"] = nlohmann::json::parse(d.headersJson, nullptr, false);
  if (d.bodyPrunedAt) {
    // Retention dropped the payload; the summary and headers are what is left of it.
    out["body_pruned_at"] = core::formatRfc3339(*d.bodyPrunedAt);
    out["payload"] = nullptr;
    return out;
  }
  std::string json = d.rawBody;
  if (d.contentType == "application/x-www-form-urlencoded") {
    if (auto decoded = core::decodeFormPayload(d.rawBody)) json = std::move(*decoded);
  }
  auto payload = nlohmann::json::parse(json, nullptr, false);
  out["payload"] = payload.is_discarded() ? nlohmann::json(json) : std::move(payload);
  return out;
}

}  // namespace forgehook::api
