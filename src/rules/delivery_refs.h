#pragma once
// The branch or tag a delivery is about, read from its payload, for rules' `branch`/`tag` lists and
// the {{branch}} {{tag}} {{ref}} placeholders. Pure.
#include <string>
#include <string_view>

#include "rules/payload.h"

namespace forgehook::rules {

struct DeliveryRefs {
  std::string branch;  // "" when the delivery is about no branch
  std::string tag;     // "" when the delivery is about no tag
  std::string ref;     // the full ref: "refs/heads/<branch>", "refs/tags/<tag>", else the payload's /ref
};

// Push-like events: the payload's `ref` ("refs/heads/x" -> branch x, "refs/tags/v1" -> tag v1; a short
// ref with `ref_type` branch|tag, GitHub create/delete; or with a boolean `tag`, GitLab jobs).
// pull_request* events: the base branch; GitLab merge requests: the target branch; GitLab pipelines:
// object_attributes.ref (a tag when object_attributes.tag); workflow_run, workflow_job, check_suite,
// check_run: the head branch; release: the release's tag.
[[nodiscard]] DeliveryRefs deliveryRefs(std::string_view event, const Payload& payload);

}  // namespace forgehook::rules
