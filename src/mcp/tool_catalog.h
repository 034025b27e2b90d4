#pragma once
// The tools forgehook offers over MCP: name, description, JSON Schemas of input and structured
// output, and whether a tool only reads (what a read-only token may list and call). Built once,
// then read-only; thread-safe.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::mcp {

struct ToolSpec {
  std::string name, title, description;
  nlohmann::json inputSchema, outputSchema;
  bool readOnly = true;      // annotations.readOnlyHint
  bool destructive = false;  // annotations.destructiveHint (only meaningful when not readOnly)
};

[[nodiscard]] const std::vector<ToolSpec>& toolCatalog();
// Null for a name not in the catalog.
[[nodiscard]] const ToolSpec* findTool(std::string_view name);
// The tool as tools/list shows it.
[[nodiscard]] nlohmann::json toolJson(const ToolSpec& tool);

}  // namespace forgehook::mcp
