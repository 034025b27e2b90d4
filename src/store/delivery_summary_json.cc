#include "store/delivery_summary_json.h"

#include "core/json_text.h"
#include "core/time.h"

namespace forgehook::store {

std::string deliverySummaryJson(const DeliverySummaryFields& d) {
  const auto orNull = [](std::string& out, std::string_view value) {
    if (value.empty())
      out += "null";
    else
      core::appendJsonString(out, value);
  };
  std::string json;
  json.reserve(512);
  json.append("{\"id\":").append(std::to_string(d.id)).append(",\"forge\":");
  core::appendJsonString(json, d.forge);
  json += ",\"delivery_id\":";
  core::appendJsonString(json, d.deliveryId);
  json += ",\"hook_id\":";
  orNull(json, d.hookId);
  json += ",\"event\":";
  core::appendJsonString(json, d.event);
  json += ",\"action\":";
  orNull(json, d.action);
  json += ",\"repository\":";
  orNull(json, d.repository);
  json += ",\"sender\":";
  orNull(json, d.sender);
  json.append(",\"received_at\":\"").append(core::formatRfc3339(d.receivedAt));
  json.append("\",\"last_attempt_at\":\"").append(core::formatRfc3339(d.lastAttemptAt));
  json.append("\",\"attempts\":").append(std::to_string(d.attempts));
  json.append(",\"body_size\":").append(std::to_string(d.bodySize)).append(",\"content_type\":");
  core::appendJsonString(json, d.contentType);
  json += ",\"verification\":";
  core::appendJsonString(json, d.verification);
  json += ",\"source\":";
  core::appendJsonString(json, d.source);
  json.append(",\"body_pruned\":").append(d.bodyPruned ? "true" : "false").append(",\"status\":");
  core::appendJsonString(json, d.status);
  json += '}';
  return json;
}

}  // namespace forgehook::store
