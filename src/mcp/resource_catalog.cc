#include "mcp/resource_catalog.h"

#include <algorithm>

#include "mcp/in_process_api.h"

namespace forgehook::mcp {
namespace {

constexpr std::string_view kScheme = "forgehook://";
constexpr std::string_view kRepositoriesPrefix = "forgehook://repositories/";

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::ranges::find(names, name) != names.end();
}

// What forgehook://status sums up.
const std::vector<std::string> kStatusResources{"pulls", "issues", "incidents", "milestones", "deliveries"};

}  // namespace

std::string ResourceUri::uri() const {
  std::string out(repository ? kRepositoriesPrefix : kScheme);
  if (repository) out.append(*repository).push_back('/');
  return out.append(name);
}

std::string ResourceUri::apiPath() const { return name == "status" ? "/api/v1/metrics/status" : "/api/v1/" + name; }

std::string ResourceUri::apiQuery() const {
  const std::string repo = repository.value_or("");
  if (name == "status") return queryString({{"repository", repo}});
  return queryString({{"repository", repo}, {"limit", "100"}});
}

live::ChangeFilter ResourceUri::changeFilter() const {
  live::ChangeFilter filter;
  filter.resources = name == "status" ? kStatusResources : std::vector<std::string>{name};
  filter.repository = repository;
  return filter;
}

std::optional<ResourceUri> parseResourceUri(std::string_view uri) {
  if (uri.starts_with(kRepositoriesPrefix)) {
    const auto rest = uri.substr(kRepositoriesPrefix.size());
    const auto lastSlash = rest.rfind('/');
    if (lastSlash == std::string_view::npos) return std::nullopt;
    const auto repository = rest.substr(0, lastSlash);
    const auto name = rest.substr(lastSlash + 1);
    // owner/name (GitLab: group/sub/project): at least two non-empty segments.
    const auto firstSlash = repository.find('/');
    if (firstSlash == std::string_view::npos || firstSlash == 0 || repository.ends_with('/') ||
        repository.find("//") != std::string_view::npos || !contains(kRepositoryResources, name))
      return std::nullopt;
    return ResourceUri{std::string(name), std::string(repository)};
  }
  if (!uri.starts_with(kScheme)) return std::nullopt;
  const auto name = uri.substr(kScheme.size());
  if (!contains(kGlobalResources, name)) return std::nullopt;
  return ResourceUri{std::string(name), std::nullopt};
}

std::optional<ResourceUri> resourceOfChange(const store::Change& change) {
  if (!change.repository.empty() && contains(kRepositoryResources, change.resource))
    return ResourceUri{change.resource, change.repository};
  if (contains(kGlobalResources, change.resource)) return ResourceUri{change.resource, std::nullopt};
  return std::nullopt;
}

nlohmann::json resourceJson(const ResourceUri& resource) {
  const std::string title =
      resource.repository ? *resource.repository + " " + resource.name : "forgehook " + resource.name;
  return {{"uri", resource.uri()},
          {"name", resource.repository ? *resource.repository + "/" + resource.name : resource.name},
          {"title", title},
          {"description", "The answer of GET " + resource.apiPath() +
                              (resource.repository ? "?repository=" + *resource.repository : "")},
          {"mimeType", "application/json"}};
}

nlohmann::json resourceTemplatesJson() {
  nlohmann::json templates = nlohmann::json::array();
  for (auto name : kRepositoryResources) {
    const std::string resource(name);
    templates.push_back({{"uriTemplate", std::string(kRepositoriesPrefix) + "{owner}/{name}/" + resource},
                         {"name", "repository-" + resource},
                         {"title", "A repository's " + resource},
                         {"description", "GET /api/v1/" + resource + "?repository={owner}/{name}: the newest 100"},
                         {"mimeType", "application/json"}});
  }
  return templates;
}

}  // namespace forgehook::mcp
