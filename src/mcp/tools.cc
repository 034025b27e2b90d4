#include "mcp/tools.h"

#include <algorithm>
#include <functional>
#include <map>

#include "mcp/arguments.h"

namespace forgehook::mcp {
namespace {

using nlohmann::json;

// A tool's structured result, or the message of its isError result (an API error, a refusal).
using Outcome = std::expected<json, std::string>;

// f(value) when `result` has one, else its error (GCC 12's std::expected has no transform()).
template <class T, class F>
auto then(std::expected<T, std::string> result, F&& f) -> std::expected<decltype(f(std::move(*result))), std::string> {
  if (!result) return std::unexpected(std::move(result.error()));
  return f(std::move(*result));
}

// What one tool call has to work with.
struct Call {
  const InProcessApi& api;
  McpSession& session;
  const json& args;

  // The API's answer; an error naming the API's reason and message when it is not a 2xx.
  [[nodiscard]] std::expected<ApiAnswer, std::string> answer(const std::string& method, const std::string& path,
                                                             const std::string& query = {},
                                                             const json& body = nullptr) const {
    auto answer = api.call(method, path, query, body, session.identity().token);
    if (!answer.ok()) return std::unexpected(answer.errorText());
    return answer;
  }
  // The API's answer body; as answer().
  [[nodiscard]] Outcome body(const std::string& method, const std::string& path, const std::string& query = {},
                             const json& body = nullptr) const {
    return then(answer(method, path, query, body), [](ApiAnswer a) { return std::move(a.body); });
  }
  // A list member of the API's answer body ("connections", "activity", ...).
  [[nodiscard]] Outcome list(const std::string& path, const std::string& query, const char* member) const {
    return then(body("GET", path, query), [member](const json& b) { return b.value(member, json::array()); });
  }
  // That list as the tool's structured result: {member: rows}.
  [[nodiscard]] Outcome listResult(const std::string& path, const std::string& query, const char* member) const {
    return then(list(path, query, member), [member](json rows) { return json{{member, std::move(rows)}}; });
  }
  [[nodiscard]] std::string text(const char* name) const { return args.value(name, std::string()); }
  [[nodiscard]] std::string number(const char* name) const {
    return args.contains(name) ? std::to_string(args[name].get<std::int64_t>()) : std::string();
  }
  [[nodiscard]] bool flag(const char* name, bool otherwise) const { return args.value(name, otherwise); }
  [[nodiscard]] std::string commaList(const char* name) const {
    std::string out;
    for (const auto& item : args.value(name, json::array()))
      out.append(out.empty() ? "" : ",").append(item.get<std::string>());
    return out;
  }
};

std::string connectionPath(const std::string& id) { return "/api/v1/connections/" + id; }

// The connection ids a tool acts on: the one named, or every connection.
std::expected<std::vector<std::string>, std::string> webhookIds(const Call& c) {
  if (c.args.contains("webhook_id")) return std::vector<std::string>{c.number("webhook_id")};
  auto connections = c.list("/api/v1/connections", {}, "connections");
  if (!connections) return std::unexpected(connections.error());
  std::vector<std::string> ids;
  for (const auto& connection : *connections) ids.push_back(std::to_string(connection.value("id", std::int64_t{0})));
  return ids;
}

Outcome setupWebhooks(const Call& c) {
  if (!c.flag("active", true))
    return std::unexpected("active: false is not supported: forgehook's hooks are always active");
  json body{{"repository", c.text("repository")}};
  if (c.args.contains("forge")) body["forge"] = c.text("forge");
  if (c.args.contains("webhook_url")) body["url"] = c.text("webhook_url");
  if (c.args.contains("events")) body["events"] = c.args["events"];
  const bool chosen = c.args.contains("secret");
  if (chosen) body["secret"] = c.text("secret");
  return then(c.answer("POST", "/api/v1/connections", {}, body), [chosen](const ApiAnswer& a) {
    return json{{"webhook", a.body}, {"created", a.status == 201}, {"secret_generated", !chosen}};
  });
}

Outcome listWebhooks(const Call& c) {
  return then(c.list("/api/v1/connections", queryString({{"forge", c.text("forge")}}), "connections"),
              [](json webhooks) {
                return json{{"webhooks", std::move(webhooks)}};
              });
}

Outcome testWebhook(const Call& c) {
  auto ids = webhookIds(c);
  if (!ids) return std::unexpected(ids.error());
  json results = json::array();
  for (const auto& id : *ids) {
    auto result = c.body("POST", connectionPath(id) + "/ping");
    if (!result) return result;
    (*result)["webhook_id"] = std::stoll(id);
    results.push_back(std::move(*result));
  }
  return json{{"results", results}};
}

Outcome removeWebhooks(const Call& c) {
  if (!c.flag("confirm", false))
    return std::unexpected("refused: remove_webhooks deletes hooks at the forge; call it again with confirm: true");
  auto ids = webhookIds(c);
  if (!ids) return std::unexpected(ids.error());
  json removed = json::array();
  for (const auto& id : *ids) {
    auto answer = c.body("DELETE", connectionPath(id));
    if (!answer) return answer;
    removed.push_back(answer->value("disconnected", json::object()));
  }
  return json{{"removed", removed}};
}

Outcome webhookDeliveries(const Call& c) {
  const auto id = c.number("webhook_id");
  const auto connection = c.body("GET", connectionPath(id));
  if (!connection) return connection;
  const std::string repository = connection->value("repository", connection->value("organization", std::string()));
  const std::string limit = c.args.contains("per_page") ? c.number("per_page") : "30";
  const std::string query =
      queryString({{"repository", repository}, {"forge", connection->value("forge", std::string())}, {"limit", limit}});
  return then(c.list("/api/v1/deliveries", query, "deliveries"), [&](json deliveries) {
    return json{{"webhook_id", std::stoll(id)}, {"repository", repository}, {"deliveries", std::move(deliveries)}};
  });
}

Outcome webhookStatus(const Call& c) {
  if (c.args.contains("webhook_id"))
    return then(c.body("GET", connectionPath(c.number("webhook_id")) + "/status"), [&](json status) {
      return json{{"webhook_id", c.args["webhook_id"]}, {"status", std::move(status)}};
    });
  return then(c.body("GET", "/api/v1/metrics/status"), [](const json& status) {
    return json{{"webhook_id", nullptr},
                {"status",
                 {{"webhooks", status.value("webhooks", json::object())},
                  {"connections", status.value("connections", json::object())}}}};
  });
}

Outcome projectStatus(const Call& c) {
  auto status = c.body("GET", "/api/v1/metrics/status");
  if (!status) return status;
  json out{{"status", std::move(*status)}};
  if (c.flag("include_activity", false)) {
    const std::string timeframe = c.args.contains("activity_timeframe") ? c.text("activity_timeframe") : "24h";
    auto activity = c.list("/api/v1/activity", queryString({{"timeframe", timeframe}, {"limit", "50"}}), "activity");
    if (!activity) return activity;
    out["activity"] = std::move(*activity);
  }
  return out;
}

// The milestone the sprint tool reports on: the numbered one, else the newest open one, else the newest.
Outcome sprintMilestone(const Call& c) {
  const std::string repository = c.text("repository");
  if (c.args.contains("milestone_number")) {
    auto rows =
        c.list("/api/v1/milestones",
               queryString({{"repository", repository}, {"number", c.number("milestone_number")}, {"limit", "1"}}),
               "milestones");
    if (!rows) return rows;
    if (rows->empty())
      return std::unexpected("milestone_number " + c.number("milestone_number") + " names no known milestone");
    return rows->front();
  }
  for (const char* state : {"open", ""}) {
    auto rows = c.list("/api/v1/milestones",
                       queryString({{"repository", repository}, {"state", state}, {"limit", "1"}}), "milestones");
    if (!rows) return rows;
    if (!rows->empty()) return rows->front();
  }
  return std::unexpected("no milestone is known yet (milestone and issue events create them)");
}

Outcome sprintMetrics(const Call& c) {
  const auto milestone = sprintMilestone(c);
  if (!milestone) return milestone;
  const std::string repository = milestone->value("repository", c.text("repository"));
  auto sprint =
      c.body("GET", "/api/v1/metrics/sprint",
             queryString({{"milestone", milestone->value("title", std::string())}, {"repository", repository}}));
  if (!sprint) return sprint;
  if (!c.flag("include_burndown", true)) sprint->erase("burndown");
  if (!c.flag("include_velocity", true)) sprint->erase("velocity");
  (*sprint)["repository"] = repository;
  json out{{"sprint", std::move(*sprint)}};
  if (c.flag("include_team_metrics", false)) {
    auto team = c.body("GET", "/api/v1/metrics/pulls", queryString({{"repository", repository}, {"timeframe", "30d"}}));
    if (!team) return team;
    out["team"] = std::move(*team);
  }
  return out;
}

Outcome recentActivity(const Call& c) {
  const auto actors = c.args.value("actors", json::array());
  const std::string limit = c.args.contains("limit") ? c.number("limit") : "50";
  // One actor is the API's own filter; several are filtered here from the page read.
  auto rows = c.list("/api/v1/activity",
                     queryString({{"timeframe", c.text("timeframe")},
                                  {"kind", c.commaList("event_types")},
                                  {"repository", c.text("repository")},
                                  {"actor", actors.size() == 1 ? actors[0].get<std::string>() : std::string()},
                                  {"limit", limit}}),
                     "activity");
  if (!rows) return rows;
  if (actors.size() > 1) {
    json kept = json::array();
    for (auto& row : *rows)
      if (std::find(actors.begin(), actors.end(), row.value("actor", json())) != actors.end()) kept.push_back(row);
    *rows = std::move(kept);
  }
  return json{{"activity", *rows}, {"count", rows->size()}};
}

Outcome repositoryHealth(const Call& c) {
  const std::string repository = c.text("repository");
  return then(c.body("GET", "/api/v1/metrics/health", queryString({{"repository", repository}})), [&](json health) {
    return json{{"repository", repository.empty() ? json(nullptr) : json(repository)}, {"health", std::move(health)}};
  });
}

Outcome subscribeToUpdates(const Call& c) {
  const auto events = c.args["events"];
  const std::string id = c.text("subscription_id");
  if (c.args.contains("callback")) {
    json body{{"url", c.text("callback")}, {"resources", events}, {"description", "mcp: " + id}};
    if (c.args.contains("repository")) body["repository"] = c.text("repository");
    auto answer = c.body("POST", "/api/v1/subscriptions", {}, body);
    if (!answer) return answer;
    const std::string secret = answer->value("secret", std::string());
    answer->erase("secret");
    return json{{"subscription_id", id},
                {"mode", "callback"},
                {"events", events},
                {"subscription", *answer},
                {"secret", secret}};
  }
  // The names are checked the way the API checks them: by asking it for one page of those changes.
  if (auto checked =
          c.body("GET", "/api/v1/changes", queryString({{"resource", c.commaList("events")}, {"limit", "1"}}));
      !checked)
    return checked;
  std::optional<std::string> repository;
  if (c.args.contains("repository")) repository = c.text("repository");
  c.session.subscribeChanges(id, events.get<std::vector<std::string>>(), repository);
  return json{{"subscription_id", id}, {"mode", "session"}, {"events", events}};
}

Outcome listIncidents(const Call& c) {
  return c.listResult(
      "/api/v1/incidents",
      queryString({{"state", c.text("state")}, {"repository", c.text("repository")}, {"limit", c.number("limit")}}),
      "incidents");
}

Outcome listCommands(const Call& c) {
  if (c.args.contains("run_id"))
    return then(c.body("GET", "/api/v1/commands/" + c.number("run_id"), {}), [](json run) {
      return json{{"commands", json::array({std::move(run)})}};
    });
  return c.listResult("/api/v1/commands",
                      queryString({{"rule", c.text("rule")},
                                   {"state", c.text("state")},
                                   {"repository", c.text("repository")},
                                   {"limit", c.number("limit")}}),
                      "commands");
}

Outcome acknowledgeIncident(const Call& c) {
  json body = json::object();
  for (const char* field : {"by", "note"})
    if (c.args.contains(field)) body[field] = c.args[field];
  return then(c.body("POST", "/api/v1/incidents/" + c.number("incident_id") + "/ack", {}, body), [](json incident) {
    return json{{"incident", std::move(incident)}};
  });
}

Outcome listPlannedItems(const Call& c) {
  return c.listResult("/api/v1/items",
                      queryString({{"state", c.text("state")},
                                   {"owner", c.text("owner")},
                                   {"repository", c.text("repository")},
                                   {"limit", c.number("limit")}}),
                      "items");
}

Outcome updatePlannedItem(const Call& c) {
  json body = c.args;
  body.erase("item_id");
  if (body.empty())
    return std::unexpected("nothing to update: give at least one of title, status, owner, description, tags, due_on");
  return then(c.body("PATCH", "/api/v1/items/" + c.number("item_id"), {}, body), [](json item) {
    return json{{"item", std::move(item)}};
  });
}

Outcome replayDeliveries(const Call& c) {
  auto answer = c.args.contains("delivery_id")
                    ? c.body("POST", "/api/v1/deliveries/" + c.number("delivery_id") + "/replay")
                    : c.body("POST", "/api/v1/replay", {}, c.args);
  return then(answer, [](const json& a) { return json{{"requeued", a.value("requeued", 0)}}; });
}

using ToolFunction = Outcome (*)(const Call&);
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
      {"list_commands", listCommands},
      {"acknowledge_incident", acknowledgeIncident},
      {"list_planned_items", listPlannedItems},
      {"update_planned_item", updatePlannedItem},
      {"replay_deliveries", replayDeliveries},
  };
  return kFunctions;
}

}  // namespace

json toolResult(const json& structured) {
  return {
      {"content",
       json::array({{{"type", "text"}, {"text", structured.dump(-1, ' ', false, json::error_handler_t::replace)}}})},
      {"structuredContent", structured},
      {"isError", false}};
}

json toolError(const std::string& message) {
  return {{"content", json::array({{{"type", "text"}, {"text", message}}})}, {"isError", true}};
}

json ToolRunner::call(McpSession& session, const ToolSpec& tool, const json& arguments) const {
  if (auto error = argumentError(tool.inputSchema, arguments)) return toolError("invalid arguments: " + *error);
  if (!tool.readOnly && session.identity().readOnly)
    return toolError("this token is read-only: " + tool.name + " changes things");
  const auto function = toolFunctions().find(tool.name);
  if (function == toolFunctions().end()) return toolError("not implemented: " + tool.name);
  const json args = arguments.is_null() ? json::object() : arguments;
  auto outcome = function->second(Call{api_, session, args});
  return outcome ? toolResult(*outcome) : toolError(outcome.error());
}

}  // namespace forgehook::mcp
