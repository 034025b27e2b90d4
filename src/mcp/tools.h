#pragma once
// Runs MCP tool calls: checks the arguments against the tool's inputSchema, then calls the admin
// API in-process as the session's caller (its own token), and shapes the answer into the tool's
// structured result. An API error, a bad argument or a write tool called with a read-only token
// is a result with isError: true whose text says what is wrong. Thread-safe; blocks (run it off
// the I/O threads).
#include <nlohmann/json.hpp>
#include <string>

#include "mcp/in_process_api.h"
#include "mcp/mcp_session.h"
#include "mcp/tool_catalog.h"

namespace forgehook::mcp {

class ToolRunner {
 public:
  explicit ToolRunner(const InProcessApi& api) : api_(api) {}
  // The CallToolResult of `tool` with `arguments` for `session`.
  [[nodiscard]] nlohmann::json call(McpSession& session, const ToolSpec& tool, const nlohmann::json& arguments) const;

 private:
  const InProcessApi& api_;
};

// A successful CallToolResult: `structured` as structuredContent and, for older clients, as text.
[[nodiscard]] nlohmann::json toolResult(const nlohmann::json& structured);
// A CallToolResult with isError: true and `message` as its text.
[[nodiscard]] nlohmann::json toolError(const std::string& message);

}  // namespace forgehook::mcp
