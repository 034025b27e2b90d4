#include "model/mapped_events.h"

#include "model/forge_mappers.h"

namespace forgehook::model {

std::vector<std::string_view> mappedEvents(core::Forge forge) {
  switch (forge) {
    case core::Forge::GitHub:
      return gitHubLikeEvents(false);
    case core::Forge::Gitea:
      return gitHubLikeEvents(true);
    case core::Forge::GitLab:
      return gitLabEvents();
  }
  return {};
}

}  // namespace forgehook::model
