#pragma once
// Checks a tool call's arguments against the tool's inputSchema before anything runs, so a bad
// argument is a tool error that names it. Covers the JSON Schema subset tool_catalog.cc writes:
// an object with `properties`, `required` and `additionalProperties: false`; property `type`
// string, integer, boolean, array (of typed `items`) or object; `enum`, `minimum`, `maximum`,
// `minLength`. Pure; thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace forgehook::mcp {

// Nothing when `arguments` (an object; null counts as {}) satisfies `schema`; otherwise what is
// wrong, naming the argument ("webhook_id must be an integer", "unknown argument \"x\"", ...).
[[nodiscard]] std::optional<std::string> argumentError(const nlohmann::json& schema, const nlohmann::json& arguments);

}  // namespace forgehook::mcp
