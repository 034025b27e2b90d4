#include "mcp/protocol.h"

#include <algorithm>

namespace forgehook::mcp {

bool isSupportedVersion(std::string_view version) {
  return std::ranges::find(kProtocolVersions, version) != kProtocolVersions.end();
}

std::string negotiateVersion(std::string_view requested) {
  return std::string(isSupportedVersion(requested) ? requested : kProtocolVersions.front());
}

nlohmann::json initializeResult(std::string_view version, std::string_view serverVersion) {
  return {{"protocolVersion", version},
          {"capabilities",
           {{"tools", {{"listChanged", false}}}, {"resources", {{"subscribe", true}, {"listChanged", false}}}}},
          {"serverInfo", {{"name", "forgehook"}, {"title", "forgehook"}, {"version", serverVersion}}},
          {"instructions",
           "forgehook stores the webhooks of GitHub, GitLab and Gitea and keeps an activity model (pull requests, "
           "issues, CI runs, incidents, planned items). Read it with the tools and resources; subscribe to a "
           "resource to hear when it changes."}};
}

}  // namespace forgehook::mcp
