#pragma once
// The events the activity model maps into entities, per forge: what a hook should subscribe to.
// Read from the mappers' own dispatch tables, so the list cannot drift from what is mapped. Any
// other event is still verified, stored and listed, with an activity line but no entities.
// Thread-safe.
#include <string_view>
#include <vector>

#include "core/forge.h"

namespace forgehook::model {

// GitHub: X-GitHub-Event names. GitLab: the payload's object_kind. Gitea/Forgejo: the X-Gitea-Event
// names Gitea sends with GitHub-shaped payloads that the GitHub mapper maps. In the order the
// mappers' tables list them; the views point at static storage.
[[nodiscard]] std::vector<std::string_view> mappedEvents(core::Forge forge);

}  // namespace forgehook::model
