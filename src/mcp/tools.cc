#include "mcp/tools.h"

#include <algorithm>
#include <functional>
#include <map>

#include "mcp/arguments.h"

namespace forgehook::mcp {
namespace {

using nlohmann::json;

// A tool's work went wrong in a way the caller should read (an API error, a refusal).
struct ToolFailure {
  std::string message;
};

// What one tool call has to work with.
struct Call {
  const InProcessApi& api;
  McpSession& session;
  const json& args;

  // The API's answer body on success; a ToolFailure naming the API's error otherwise.
  json api_(const std::string& method, const std::string& path, const std::string& query = {},
            const json& body = nullptr) const {
    auto answer = api.call(method, path, query, body, session.identity().token);
    if (!answer.ok()) throw ToolFailure{answer.errorText()};
    return answer.body;
  }
  [[nodiscard]] std::string text(const char* name) const { return args.value(name, std::string()); }
  [[nodiscard]] std::string number(const char* name) const {
    return args.contains(name) ? std::to_string(args[name].get<std::int64_t>()) : std::string();
  }
  [[nodiscard]] bool flag(const char* name, bool otherwise) const { return args.value(name, otherwise); }
  [[nodiscard]] std::string commaList(const char* name) const {
    std::string out;
    for (const auto& item : args.value(name, json::array())) out.append(out.empty() ? "" : ",").append(item.get<std::string>());
    return out;
  }
};

std::string connectionPath(const std::string& id) { return "/api/v1/connections/" + id; }

// The connection ids a tool acts on: the one named, or every connection.
std::vector<std::string> webhookIds(const Call& c) {
  if (c.args.contains("webhook_id")) return {c.number("webhook_id")};
  std::vector<std::string> ids;
  for (const auto& connection : c.api_("GET", "/api/v1/connections").value("connections", json::array()))
    ids.push_back(std::to_string(connection.value("id", std::int64_t{0})));
  return ids;
}

json setupWebhooks(const Call& c) {
  if (c.args.contains("secret"))
    throw ToolFailure{"secret cannot be chosen: forgehook generates each hook's secret, keeps it sealed and never "
                      "shows it (leave secret out)"};
  if (!c.flag("active", true)) throw ToolFailure{"active: false is not supported: forgehook's hooks are always active"};
  json body{{"repository", c.text("repository")}};
  if (c.args.contains("forge")) body["forge"] = c.text("forge");
  if (c.args.contains("webhook_url")) body["url"] = c.text("webhook_url");
  if (c.args.contains("events")) body["events"] = c.args["events"];
  auto answer = c.api.call("POST", "/api/v1/connections", {}, body, c.session.identity().token);
  if (!answer.ok()) throw ToolFailure{answer.errorText()};
  return {{"webhook", answer.body}, {"created", answer.status == 201}, {"secret_generated", true}};
}

json listWebhooks(const Call& c) {
  auto body = c.api_("GET", "/api/v1/connections", queryString({{"forge", c.text("forge")}}));
  return {{"webhooks", body.value("connections", json::array())}};
}

json testWebhook(const Call& c) {
  json results = json::array();
  for (const auto& id : webhookIds(c)) {
    json result = c.api_("POST", connectionPath(id) + "/ping");
    result["webhook_id"] = std::stoll(id);
    results.push_back(std::move(result));
  }
  return {{"results", results}};
}

json removeWebhooks(const Call& c) {
  if (!c.flag("confirm", false))
    throw ToolFailure{"refused: remove_webhooks deletes hooks at the forge; call it again with confirm: true"};
  json removed = json::array();
  for (const auto& id : webhookIds(c))
    removed.push_back(c.api_("DELETE", connectionPath(id)).value("disconnected", json::object()));
  return {{"removed", removed}};
}

json webhookDeliveries(const Call& c) {
  const auto id = c.number("webhook_id");
  const auto connection = c.api_("GET", connectionPath(id));
  const std::string repository = connection.value("repository", connection.value("organization", std::string()));
  const std::string limit = c.args.contains("per_page") ? c.number("per_page") : "30";
  auto body = c.api_("GET", "/api/v1/deliveries",
                     queryString({{"repository", repository}, {"forge", connection.value("forge", std::string())}, {"limit", limit}}));
  return {{"webhook_id", std::stoll(id)}, {"repository", repository}, {"deliveries", body.value("deliveries", json::array())}};
}

json webhookStatus(const Call& c) {
  if (c.args.contains("webhook_id"))
    return {{"webhook_id", c.args["webhook_id"]}, {"status", c.api_("GET", connectionPath(c.number("webhook_id")) + "/status")}};
  auto status = c.api_("GET", "/api/v1/metrics/status");
  return {{"webhook_id", nullptr},
          {"status", {{"webhooks", status.value("webhooks", json::object())}, {"connections", status.value("connections", json::object())}}}};
}

json projectStatus(const Call& c) {
  json out{{"status", c.api_("GET", "/api/v1/metrics/status")}};
  if (c.flag("include_activity", false)) {
    const std::string timeframe = c.args.contains("activity_timeframe") ? c.text("activity_timeframe") : "24h";
    out["activity"] = c.api_("GET", "/api/v1/activity", queryString({{"timeframe", timeframe}, {"limit", "50"}}))
                          .value("activity", json::array());
  }
  return out;
}

// The milestone the sprint tool reports on: the numbered one, else the newest open one, else the newest.
json sprintMilestone(const Call& c) {
  const std::string repository = c.text("repository");
  json rows;
  if (c.args.contains("milestone_number")) {
    rows = c.api_("GET", "/api/v1/milestones",
                  queryString({{"repository", repository}, {"number", c.number("milestone_number")}, {"limit", "1"}}))
               .value("milestones", json::array());
    if (rows.empty()) throw ToolFailure{"milestone_number " + c.number("milestone_number") + " names no known milestone"};
    return rows.front();
  }
  for (const char* state : {"open", ""}) {
    rows = c.api_("GET", "/api/v1/milestones", queryString({{"repository", repository}, {"state", state}, {"limit", "1"}}))
               .value("milestones", json::array());
    if (!rows.empty()) return rows.front();
  }
  throw ToolFailure{"no milestone is known yet (milestone events create them)"};
}

json sprintMetrics(const Call& c) {
  const auto milestone = sprintMilestone(c);
  const std::string repository = milestone.value("repository", c.text("repository"));
  auto sprint = c.api_("GET", "/api/v1/metrics/sprint",
                       queryString({{"milestone", milestone.value("title", std::string())}, {"repository", repository}}));
  if (!c.flag("include_burndown", true)) sprint.erase("burndown");
  if (!c.flag("include_velocity", true)) sprint.erase("velocity");
  sprint["repository"] = repository;
  json out{{"sprint", sprint}};
  if (c.flag("include_team_metrics", false))
    out["team"] = c.api_("GET", "/api/v1/metrics/pulls", queryString({{"repository", repository}, {"timeframe", "30d"}}));
  return out;
}

json recentActivity(const Call& c) {
  const auto actors = c.args.value("actors", json::array());
  const std::string limit = c.args.contains("limit") ? c.number("limit") : "50";
  // One actor is the API's own filter; several are filtered here from the page read.
  auto rows = c.api_("GET", "/api/v1/activity",
                     queryString({{"timeframe", c.text("timeframe")},
                                  {"kind", c.commaList("event_types")},
                                  {"repository", c.text("repository")},
                                  {"actor", actors.size() == 1 ? actors[0].get<std::string>() : std::string()},
                                  {"limit", limit}}))
                  .value("activity", json::array());
  if (actors.size() > 1) {
    json kept = json::array();
    for (auto& row : rows)
      if (std::find(actors.begin(), actors.end(), row.value("actor", json())) != actors.end()) kept.push_back(row);
    rows = std::move(kept);
  }
  return {{"activity", rows}, {"count", rows.size()}};
}

json repositoryHealth(const Call& c) {
  const std::string repository = c.text("repository");
  return {{"repository", repository.empty() ? json(nullptr) : json(repository)},
          {"health", c.api_("GET", "/api/v1/metrics/health", queryString({{"repository", repository}}))}};
}

json subscribeToUpdates(const Call& c) {
  const auto events = c.args["events"];
  const std::string id = c.text("subscription_id");
  if (c.args.contains("callback")) {
    json body{{"url", c.text("callback")}, {"resources", events}, {"description", "mcp: " + id}};
    if (c.args.contains("repository")) body["repository"] = c.text("repository");
    auto answer = c.api_("POST", "/api/v1/subscriptions", {}, body);
    const std::string secret = answer.value("secret", std::string());
    answer.erase("secret");
    return {{"subscription_id", id}, {"mode", "callback"}, {"events", events}, {"subscription", answer}, {"secret", secret}};
  }
  // Check the names the way the API does, by asking it for one page of those changes.
  c.api_("GET", "/api/v1/changes", queryString({{"resource", c.commaList("events")}, {"limit", "1"}}));
  std::optional<std::string> repository;
  if (c.args.contains("repository")) repository = c.text("repository");
  c.session.subscribeChanges(id, events.get<std::vector<std::string>>(), repository);
  return {{"subscription_id", id}, {"mode", "session"}, {"events", events}};
}

json listIncidents(const Call& c) {
  auto body = c.api_("GET", "/api/v1/incidents",
                     queryString({{"state", c.text("state")}, {"repository", c.text("repository")}, {"limit", c.number("limit")}}));
  return {{"incidents", body.value("incidents", json::array())}};
}

json acknowledgeIncident(const Call& c) {
  json body = json::object();
  for (const char* field : {"by", "note"})
    if (c.args.contains(field)) body[field] = c.args[field];
  return {{"incident", c.api_("POST", "/api/v1/incidents/" + c.number("incident_id") + "/ack", {}, body)}};
}

json listPlannedItems(const Call& c) {
  auto body = c.api_("GET", "/api/v1/items",
                     queryString({{"state", c.text("state")}, {"owner", c.text("owner")},
                                  {"repository", c.text("repository")}, {"limit", c.number("limit")}}));
  return {{"items", body.value("items", json::array())}};
}

json updatePlannedItem(const Call& c) {
  json body = c.args;
  body.erase("item_id");
  if (body.empty()) throw ToolFailure{"nothing to update: give at least one of title, status, owner, description, tags, due_on"};
  return {{"item", c.api_("PATCH", "/api/v1/items/" + c.number("item_id"), {}, body)}};
}

json replayDeliveries(const Call& c) {
  if (c.args.contains("delivery_id"))
    return {{"requeued", c.api_("POST", "/api/v1/deliveries/" + c.number("delivery_id") + "/replay").value("requeued", 0)}};
  return {{"requeued", c.api_("POST", "/api/v1/replay", {}, c.args).value("requeued", 0)}};
}

using ToolFunction = json (*)(const Call&);
const std::map<std::string, ToolFunction, std::less<>>& toolFunctions() {
  static const std::map<std::string, ToolFunction, std::less<>> kFunctions{
      {"setup_webhooks", setupWebhooks},
      {"list_webhooks", listWebhooks},
      {"test_webhook", testWebhook},
      {"remove_webhooks", removeWebhooks},
      {"get_webhook_deliveries", webhookDeliveries},
      {"get_webhook_status", webhookStatus},
      {"get_live_project_status", projectStatus},
      {"get_live_sprint_metrics", sprintMetrics},
      {"get_recent_activity", recentActivity},
      {"get_live_repository_health", repositoryHealth},
      {"subscribe_to_updates", subscribeToUpdates},
      {"list_incidents", listIncidents},
      {"acknowledge_incident", acknowledgeIncident},
      {"list_planned_items", listPlannedItems},
      {"update_planned_item", updatePlannedItem},
      {"replay_deliveries", replayDeliveries},
  };
  return kFunctions;
}

}  // namespace

json toolResult(const json& structured) {
  return {{"content", json::array({{{"type", "text"}, {"text", structured.dump(-1, ' ', false, json::error_handler_t::replace)}}})},
          {"structuredContent", structured},
          {"isError", false}};
}

json toolError(const std::string& message) {
  return {{"content", json::array({{{"type", "text"}, {"text", message}}})}, {"isError", true}};
}

json ToolRunner::call(McpSession& session, const ToolSpec& tool, const json& arguments) const {
  if (auto error = argumentError(tool.inputSchema, arguments)) return toolError("invalid arguments: " + *error);
  if (!tool.readOnly && session.identity().readOnly) return toolError("this token is read-only: " + tool.name + " changes things");
  const auto function = toolFunctions().find(tool.name);
  if (function == toolFunctions().end()) return toolError("not implemented: " + tool.name);
  const json args = arguments.is_null() ? json::object() : arguments;
  try {
    return toolResult(function->second(Call{api_, session, args}));
  } catch (const ToolFailure& failure) {
    return toolError(failure.message);
  }
}

}  // namespace forgehook::mcp
