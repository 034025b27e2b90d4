#pragma once
// Per-forge mapping from a payload to records; internal to model/ (normalize.cc dispatches).
#include "model/json_view.h"
#include "store/activity.h"

namespace forgehook::model {

// GitHub, and Gitea/Forgejo, whose payloads follow GitHub's shapes. `event` is X-GitHub-Event / X-Gitea-Event.
void mapGitHubLike(const std::string& forge, const std::string& event, const JsonView& payload,
                   store::ProcessedDelivery& out);
// GitLab: dispatches on the payload's object_kind.
void mapGitLab(const JsonView& payload, store::ProcessedDelivery& out);

}  // namespace forgehook::model
