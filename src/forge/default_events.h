#pragma once
// The events a hook subscribes to when the user names none: those the activity model reads, in
// each forge's own names (GitHub events, GitLab hook fields, Gitea events).
#include <string>
#include <vector>

namespace forgehook::forge {

[[nodiscard]] std::vector<std::string> defaultHookEvents(const std::string& forge);

}  // namespace forgehook::forge
