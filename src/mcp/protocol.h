#pragma once
// MCP's lifecycle: protocol version negotiation and the answer to `initialize` (what forgehook
// offers: tools and subscribable resources). Pure functions; thread-safe.
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace forgehook::mcp {

// Newest first: the first is what a client asking for an unknown version is offered.
inline constexpr std::array<std::string_view, 3> kProtocolVersions{"2025-11-25", "2025-06-18", "2025-03-26"};

[[nodiscard]] bool isSupportedVersion(std::string_view version);
// The version to speak: the client's when supported, else our newest (the client then decides).
[[nodiscard]] std::string negotiateVersion(std::string_view requested);
// The `initialize` result for `version` (already negotiated) and forgehook's own version.
[[nodiscard]] nlohmann::json initializeResult(std::string_view version, std::string_view serverVersion);

}  // namespace forgehook::mcp
