#pragma once
// Per-forge mapping from a payload to records; internal to model/ (normalize.cc dispatches).
#include <string_view>
#include <vector>

#include "model/json_view.h"
#include "store/activity.h"

namespace forgehook::model {

// GitHub, and Gitea/Forgejo, whose payloads follow GitHub's shapes. `event` is X-GitHub-Event / X-Gitea-Event.
void mapGitHubLike(const std::string& forge, const std::string& event, const JsonView& payload,
                   store::ProcessedDelivery& out);
// The events mapGitHubLike maps, in its table's order; with `giteaOnly`, those Gitea sends.
[[nodiscard]] std::vector<std::string_view> gitHubLikeEvents(bool giteaOnly);
// GitLab: dispatches on the payload's object_kind.
void mapGitLab(const JsonView& payload, store::ProcessedDelivery& out);
// The object_kind values mapGitLab maps, in its table's order.
[[nodiscard]] std::vector<std::string_view> gitLabEvents();

}  // namespace forgehook::model
