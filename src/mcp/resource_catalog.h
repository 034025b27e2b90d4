#pragma once
// The MCP resources: URIs of forgehook's activity model, what API read answers each and which
// change-feed changes update it. `forgehook://repositories/{owner}/{name}/{pulls|issues|incidents|
// releases|branches|runs|commands}` per repository, and the global `forgehook://items`, `://incidents`,
// `://activity`, `://status`, `://commands`. Pure; thread-safe.
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "live/change_hub.h"

namespace forgehook::mcp {

inline constexpr std::array<std::string_view, 7> kRepositoryResources{
    "pulls", "issues", "incidents", "releases", "branches", "runs", "commands"};
inline constexpr std::array<std::string_view, 5> kGlobalResources{"items", "incidents", "activity", "status",
                                                                  "commands"};

struct ResourceUri {
  std::string name;                       // "pulls", ..., "status"
  std::optional<std::string> repository;  // "owner/name" for a repository's resource
  [[nodiscard]] std::string uri() const;
  // The API read that answers it: path and query.
  [[nodiscard]] std::string apiPath() const;
  [[nodiscard]] std::string apiQuery() const;
  // The changes that update it.
  [[nodiscard]] live::ChangeFilter changeFilter() const;
};

// Nothing for a URI that names no resource of ours.
[[nodiscard]] std::optional<ResourceUri> parseResourceUri(std::string_view uri);
// The resource a change-feed change updates for a session subscribed to `resource` changes:
// the repository's one when the resource has a per-repository URI, else the global one; nothing
// when neither exists (reviews, deliveries, ...).
[[nodiscard]] std::optional<ResourceUri> resourceOfChange(const store::Change& change);
// resources/list entries.
[[nodiscard]] nlohmann::json resourceJson(const ResourceUri& resource);
// resources/templates/list.
[[nodiscard]] nlohmann::json resourceTemplatesJson();

}  // namespace forgehook::mcp
