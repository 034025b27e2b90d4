#include "mcp/dispatcher.h"

#include "mcp/resource_catalog.h"
#include "mcp/tool_catalog.h"

namespace forgehook::mcp {

using nlohmann::json;

// A result, or a JSON-RPC error.
struct Dispatcher::Outcome {
  json result;
  int errorCode = 0;
  std::string errorMessage;
  static Outcome ok(json result) { return {std::move(result), 0, {}}; }
  static Outcome error(int code, std::string message) { return {nullptr, code, std::move(message)}; }
};

namespace {

constexpr int kRepositoriesPerPage = 50;

// A string member of params, or nothing.
std::optional<std::string> stringParam(const json& params, const char* name) {
  if (!params.is_object()) return std::nullopt;
  auto it = params.find(name);
  if (it == params.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string Dispatcher::answer(McpSession& session, const RpcMessage& request) const {
  Outcome outcome;
  try {
    outcome = run(session, request);
  } catch (const std::exception& e) {
    outcome = Outcome::error(rpc::kInternalError, std::string("Internal error: ") + e.what());
  }
  return outcome.errorCode ? errorText(request.id, outcome.errorCode, outcome.errorMessage)
                           : resultText(request.id, outcome.result);
}

Dispatcher::Outcome Dispatcher::run(McpSession& session, const RpcMessage& request) const {
  const auto& m = request.method;
  if (m == "ping") return Outcome::ok(json::object());
  if (m == "tools/list") return listTools(session);
  if (m == "tools/call") return callTool(session, request.params);
  if (m == "resources/list") return listResources(session, request.params);
  if (m == "resources/templates/list") return Outcome::ok({{"resourceTemplates", resourceTemplatesJson()}});
  if (m == "resources/read") return readResource(session, request.params);
  if (m == "resources/subscribe") return subscribe(session, request.params, true);
  if (m == "resources/unsubscribe") return subscribe(session, request.params, false);
  if (m == "initialize")
    return Outcome::error(rpc::kInvalidRequest, "Invalid Request: the session is already initialized");
  return Outcome::error(rpc::kMethodNotFound, "Method not found: " + m);
}

Dispatcher::Outcome Dispatcher::listTools(const McpSession& session) const {
  json tools = json::array();
  for (const auto& tool : toolCatalog())
    if (tool.readOnly || !session.identity().readOnly) tools.push_back(toolJson(tool));
  return Outcome::ok({{"tools", tools}});
}

Dispatcher::Outcome Dispatcher::callTool(McpSession& session, const json& params) const {
  const auto name = stringParam(params, "name");
  if (!name) return Outcome::error(rpc::kInvalidParams, "Invalid params: name must be a string");
  const ToolSpec* tool = findTool(*name);
  if (!tool) return Outcome::error(rpc::kInvalidParams, "Unknown tool: " + *name);
  return Outcome::ok(tools_.call(session, *tool, params.value("arguments", json())));
}

Dispatcher::Outcome Dispatcher::listResources(const McpSession& session, const json& params) const {
  json resources = json::array();
  const auto cursor = stringParam(params, "cursor");
  if (!cursor)
    for (auto name : kGlobalResources) resources.push_back(resourceJson({std::string(name), std::nullopt}));
  auto page = api_.call("GET", "/api/v1/repositories",
                        queryString({{"limit", std::to_string(kRepositoriesPerPage)}, {"cursor", cursor.value_or("")}}),
                        nullptr, session.identity().token);
  if (!page.ok()) {
    if (page.status == 400) return Outcome::error(rpc::kInvalidParams, "Invalid params: " + page.errorText());
    return Outcome::error(rpc::kInternalError, page.errorText());
  }
  for (const auto& repository : page.body.value("repositories", json::array()))
    for (auto name : kRepositoryResources)
      resources.push_back(resourceJson({std::string(name), repository.value("full_name", std::string())}));
  json result{{"resources", resources}};
  if (auto next = page.body.find("next_cursor"); next != page.body.end() && next->is_string())
    result["nextCursor"] = *next;
  return Outcome::ok(result);
}

Dispatcher::Outcome Dispatcher::readResource(const McpSession& session, const json& params) const {
  const auto uri = stringParam(params, "uri");
  if (!uri) return Outcome::error(rpc::kInvalidParams, "Invalid params: uri must be a string");
  const auto resource = parseResourceUri(*uri);
  if (!resource) return Outcome::error(rpc::kResourceNotFound, "Resource not found: " + *uri);
  const auto& token = session.identity().token;
  if (resource->repository) {
    auto known =
        api_.call("GET", "/api/v1/repositories", queryString({{"repository", *resource->repository}}), nullptr, token);
    if (known.ok() && known.body.value("repositories", json::array()).empty())
      return Outcome::error(rpc::kResourceNotFound, "Resource not found: " + *uri + " (no such repository)");
  }
  auto answer = api_.call("GET", resource->apiPath(), resource->apiQuery(), nullptr, token);
  if (!answer.ok()) return Outcome::error(rpc::kInternalError, answer.errorText());
  return Outcome::ok(
      {{"contents", json::array({{{"uri", *uri}, {"mimeType", "application/json"}, {"text", answer.body.dump()}}})}});
}

Dispatcher::Outcome Dispatcher::subscribe(McpSession& session, const json& params, bool on) const {
  const auto uri = stringParam(params, "uri");
  if (!uri) return Outcome::error(rpc::kInvalidParams, "Invalid params: uri must be a string");
  const auto resource = parseResourceUri(*uri);
  if (!resource) return Outcome::error(rpc::kResourceNotFound, "Resource not found: " + *uri);
  if (on)
    session.subscribeResource(*resource);
  else
    session.unsubscribeResource(resource->uri());
  return Outcome::ok(json::object());
}

}  // namespace forgehook::mcp
