#include "mcp/tool_catalog.h"

namespace forgehook::mcp {
namespace {

// An object schema from the text of its properties; `required` names those that must be there.
nlohmann::json objectSchema(std::string_view properties, std::vector<std::string> required = {}) {
  nlohmann::json schema{
      {"type", "object"}, {"properties", nlohmann::json::parse(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

// Output schemas describe what forgehook guarantees, and leave room for the API's fields.
nlohmann::json outputSchema(std::string_view properties, std::vector<std::string> required) {
  nlohmann::json schema{{"type", "object"}, {"properties", nlohmann::json::parse(properties)}, {"required", required}};
  return schema;
}

constexpr std::string_view kTimeframe = R"({"type": "string", "enum": ["1h", "6h", "24h", "7d", "30d"]})";

std::vector<ToolSpec> buildCatalog() {
  const std::string timeframe(kTimeframe);
  std::vector<ToolSpec> tools;
  auto add = [&](ToolSpec spec) { tools.push_back(std::move(spec)); };
  add({"setup_webhooks", "Connect a repository",
       "Connects a repository: forgehook creates (or adopts) the forge's webhook pointing at itself, with a "
       "secret it generates and keeps sealed. Needs a stored forge credential. Same as POST /api/v1/connections.",
       objectSchema(R"({
         "repository": {"type": "string", "minLength": 1, "description": "owner/name"},
         "forge": {"type": "string", "enum": ["github", "gitlab", "gitea"], "description": "default github"},
         "webhook_url": {"type": "string", "minLength": 1, "description": "forgehook's public base URL; default forges.public_url"},
         "events": {"type": "array", "items": {"type": "string"}, "description": "the forge's event names; default: those the model reads"},
         "secret": {"type": "string", "minLength": 16, "maxLength": 256, "description": "the hook's secret (16-256 printable characters); default: forgehook generates a random 256-bit one. Stored sealed, never shown again"},
         "active": {"type": "boolean", "description": "hooks forgehook makes are always active; false is refused"}
       })",
                    {"repository"}),
       outputSchema(
           R"({"webhook": {"type": "object"}, "created": {"type": "boolean"}, "secret_generated": {"type": "boolean"}})",
           {"webhook", "created", "secret_generated"}),
       false, false});
  add({"list_webhooks", "List webhooks", "The repositories' webhooks forgehook manages (its forge connections).",
       objectSchema(R"({"forge": {"type": "string", "enum": ["github", "gitlab", "gitea"]}})"),
       outputSchema(R"({"webhooks": {"type": "array", "items": {"type": "object"}}})", {"webhooks"}), true, false});
  add({"test_webhook", "Test webhooks",
       "Asks the forge to send its ping through a webhook (all webhooks when webhook_id is absent) and waits up to "
       "10 s for it to arrive. Same as POST /api/v1/connections/{id}/ping.",
       objectSchema(R"({"webhook_id": {"type": "integer", "minimum": 1}})"),
       outputSchema(R"({"results": {"type": "array", "items": {"type": "object", "required": ["webhook_id"]}}})",
                    {"results"}),
       false, false});
  add({"remove_webhooks", "Remove webhooks",
       "Deletes a webhook at the forge and forgets the connection (all of them when webhook_id is absent). "
       "Deliveries and the model are kept. Refused unless confirm is true.",
       objectSchema(R"({"webhook_id": {"type": "integer", "minimum": 1}, "confirm": {"type": "boolean"}})",
                    {"confirm"}),
       outputSchema(R"({"removed": {"type": "array", "items": {"type": "object"}}})", {"removed"}), false, true});
  add({"get_webhook_deliveries", "Webhook deliveries",
       "The newest deliveries stored for a webhook's repository (GET /api/v1/deliveries?repository=).",
       objectSchema(
           R"({"webhook_id": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 500}})",
           {"webhook_id"}),
       outputSchema(
           R"({"webhook_id": {"type": "integer"}, "repository": {"type": "string"}, "deliveries": {"type": "array"}})",
           {"webhook_id", "repository", "deliveries"}),
       true, false});
  add({"get_webhook_status", "Webhook status",
       "One webhook's health as the forge reports it and forgehook sees it (GET /api/v1/connections/{id}/status); "
       "without webhook_id, the delivery counters and failing connections of GET /api/v1/metrics/status.",
       objectSchema(R"({"webhook_id": {"type": "integer", "minimum": 1}})"),
       outputSchema(R"({"webhook_id": {"type": ["integer", "null"]}, "status": {"type": "object"}})",
                    {"webhook_id", "status"}),
       true, false});
  add({"get_live_project_status", "Project status",
       "Open pull requests and issues, open incidents, milestones and webhook counters (GET /api/v1/metrics/status), "
       "with the recent activity when include_activity is true.",
       objectSchema(R"({"include_activity": {"type": "boolean"}, "activity_timeframe": )" + timeframe + "}"),
       outputSchema(R"({"status": {"type": "object"}, "activity": {"type": "array"}})", {"status"}), true, false});
  add({"get_live_sprint_metrics", "Sprint metrics",
       "A milestone's burndown, projection and velocity (GET /api/v1/metrics/sprint); the newest open milestone "
       "when milestone_number is absent. include_team_metrics adds the pull request metrics of the last 30 days.",
       objectSchema(
           R"({"milestone_number": {"type": "integer", "minimum": 1}, "repository": {"type": "string", "minLength": 1},
         "include_burndown": {"type": "boolean"}, "include_velocity": {"type": "boolean"}, "include_team_metrics": {"type": "boolean"}})"),
       outputSchema(R"({"sprint": {"type": "object"}, "team": {"type": "object"}})", {"sprint"}), true, false});
  add({"get_recent_activity", "Recent activity",
       "The activity feed, newest first (GET /api/v1/activity), narrowed by time, event kinds and actors.",
       objectSchema(R"({"timeframe": )" + timeframe +
                    R"(, "event_types": {"type": "array", "items": {"type": "string", "minLength": 1}},
         "actors": {"type": "array", "items": {"type": "string", "minLength": 1}}, "repository": {"type": "string", "minLength": 1},
         "limit": {"type": "integer", "minimum": 1, "maximum": 500}})"),
       outputSchema(R"({"activity": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"}})",
                    {"activity", "count"}),
       true, false});
  add({"get_live_repository_health", "Repository health",
       "Stale pull requests and issues, CI failure rate and incident resolution time (GET /api/v1/metrics/health).",
       objectSchema(R"({"repository": {"type": "string", "minLength": 1}})"),
       outputSchema(R"({"repository": {"type": ["string", "null"]}, "health": {"type": "object"}})",
                    {"repository", "health"}),
       true, false});
  add({"subscribe_to_updates", "Subscribe to updates",
       "With callback: creates a subscription that POSTs each matching change, signed (POST /api/v1/subscriptions). "
       "Without: this MCP session hears notifications/resources/updated for the resources of those changes.",
       objectSchema(
           R"({"subscription_id": {"type": "string", "minLength": 1}, "events": {"type": "array", "items": {"type": "string", "minLength": 1},
         "description": "change-feed resources: pulls, issues, items, incidents, runs, releases, deliveries, ..."},
         "callback": {"type": "string", "minLength": 1}, "repository": {"type": "string", "minLength": 1}})",
           {"subscription_id", "events"}),
       outputSchema(
           R"({"subscription_id": {"type": "string"}, "mode": {"type": "string", "enum": ["callback", "session"]},
         "events": {"type": "array", "items": {"type": "string"}}, "subscription": {"type": "object"}, "secret": {"type": "string"}})",
           {"subscription_id", "mode", "events"}),
       false, false});
  add({"list_incidents", "List incidents", "CI incidents (a workflow failing on a branch until it passes again).",
       objectSchema(
           R"({"state": {"type": "string", "enum": ["open", "resolved"]}, "repository": {"type": "string", "minLength": 1},
         "limit": {"type": "integer", "minimum": 1, "maximum": 500}})"),
       outputSchema(R"({"incidents": {"type": "array", "items": {"type": "object"}}})", {"incidents"}), true, false});
  add({"list_commands", "List command runs",
       "The runs of the commands [[rules]] start for deliveries, newest first: status, exit code, attempts, error "
       "(GET /api/v1/commands); with run_id, that one run with its argv, env and output (GET /api/v1/commands/{id}).",
       objectSchema(
           R"({"run_id": {"type": "integer", "minimum": 1}, "rule": {"type": "string", "minLength": 1},
         "state": {"type": "string", "enum": ["queued", "running", "retrying", "succeeded", "failed", "timed_out", "interrupted"]},
         "repository": {"type": "string", "minLength": 1}, "limit": {"type": "integer", "minimum": 1, "maximum": 500}})"),
       outputSchema(R"({"commands": {"type": "array", "items": {"type": "object"}}})", {"commands"}), true, false});
  add({"acknowledge_incident", "Acknowledge an incident", "POST /api/v1/incidents/{id}/ack.",
       objectSchema(
           R"({"incident_id": {"type": "integer", "minimum": 1}, "by": {"type": "string", "minLength": 1}, "note": {"type": "string"}})",
           {"incident_id"}),
       outputSchema(R"({"incident": {"type": "object"}})", {"incident"}), false, false});
  add({"list_planned_items", "List planned items", "Planned items, linked to issues or not (GET /api/v1/items).",
       objectSchema(
           R"({"state": {"type": "string", "enum": ["planned", "in_progress", "completed", "not_planned", "blocked"]},
         "owner": {"type": "string", "minLength": 1}, "repository": {"type": "string", "minLength": 1},
         "limit": {"type": "integer", "minimum": 1, "maximum": 500}})"),
       outputSchema(R"({"items": {"type": "array", "items": {"type": "object"}}})", {"items"}), true, false});
  add({"update_planned_item", "Update a planned item", "PATCH /api/v1/items/{id} with the fields given.",
       objectSchema(R"({"item_id": {"type": "integer", "minimum": 1}, "title": {"type": "string", "minLength": 1},
         "status": {"type": "string", "enum": ["planned", "in_progress", "completed", "not_planned", "blocked"]},
         "owner": {"type": "string"}, "description": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
         "due_on": {"type": "string"}})",
                    {"item_id"}),
       outputSchema(R"({"item": {"type": "object"}})", {"item"}), false, false});
  add({"replay_deliveries", "Replay deliveries",
       "Processes stored deliveries again: one by delivery_id, or those matching a filter (all: true for every one).",
       objectSchema(
           R"({"delivery_id": {"type": "integer", "minimum": 1}, "forge": {"type": "string", "enum": ["github", "gitlab", "gitea"]},
         "event": {"type": "string", "minLength": 1}, "repository": {"type": "string", "minLength": 1},
         "status": {"type": "string", "minLength": 1}, "since": {"type": "string"}, "until": {"type": "string"}, "all": {"type": "boolean"}})"),
       outputSchema(R"({"requeued": {"type": "integer"}})", {"requeued"}), false, false});
  return tools;
}

}  // namespace

const std::vector<ToolSpec>& toolCatalog() {
  static const std::vector<ToolSpec> kTools = buildCatalog();
  return kTools;
}

const ToolSpec* findTool(std::string_view name) {
  for (const auto& tool : toolCatalog())
    if (tool.name == name) return &tool;
  return nullptr;
}

nlohmann::json toolJson(const ToolSpec& tool) {
  return {{"name", tool.name},
          {"title", tool.title},
          {"description", tool.description},
          {"inputSchema", tool.inputSchema},
          {"outputSchema", tool.outputSchema},
          {"annotations",
           {{"title", tool.title},
            {"readOnlyHint", tool.readOnly},
            {"destructiveHint", !tool.readOnly && tool.destructive},
            {"openWorldHint", false}}}};
}

}  // namespace forgehook::mcp
