#pragma once
// Answers one MCP request of an initialized session: ping, tools/list, tools/call, resources/list,
// resources/templates/list, resources/read, resources/subscribe, resources/unsubscribe.
// (initialize is the transport's: it creates the session.) Thread-safe; blocks on the API.
#include <nlohmann/json.hpp>
#include <string>

#include "mcp/in_process_api.h"
#include "mcp/json_rpc.h"
#include "mcp/mcp_session.h"
#include "mcp/tools.h"

namespace forgehook::mcp {

class Dispatcher {
 public:
  explicit Dispatcher(const InProcessApi& api) : api_(api), tools_(api) {}
  // The JSON-RPC response text for `request` (a Request, not a notification).
  [[nodiscard]] std::string answer(McpSession& session, const RpcMessage& request) const;

 private:
  struct Outcome;
  [[nodiscard]] Outcome run(McpSession& session, const RpcMessage& request) const;
  [[nodiscard]] Outcome listTools(const McpSession& session) const;
  [[nodiscard]] Outcome callTool(McpSession& session, const nlohmann::json& params) const;
  [[nodiscard]] Outcome listResources(const McpSession& session, const nlohmann::json& params) const;
  [[nodiscard]] Outcome readResource(const McpSession& session, const nlohmann::json& params) const;
  [[nodiscard]] Outcome subscribe(McpSession& session, const nlohmann::json& params, bool on) const;

  const InProcessApi& api_;
  ToolRunner tools_;
};

}  // namespace forgehook::mcp
