#include "rules/delivery_refs.h"

#include <optional>

namespace forgehook::rules {
namespace {

constexpr std::string_view kHeads = "refs/heads/";
constexpr std::string_view kTags = "refs/tags/";

// A short name that is a tag when `isTag` says "true" and a branch when it says "false".
void setByFlag(DeliveryRefs& refs, const std::string& name, const std::optional<std::string>& isTag) {
  if (isTag == "true") refs.tag = name;
  if (isTag == "false") refs.branch = name;
}

void fromRef(DeliveryRefs& refs, const Payload& payload) {
  const auto ref = payload.text("/ref");
  if (!ref || ref->empty()) return;
  if (ref->starts_with(kHeads)) {
    refs.branch = ref->substr(kHeads.size());
  } else if (ref->starts_with(kTags)) {
    refs.tag = ref->substr(kTags.size());
  } else if (const auto type = payload.text("/ref_type")) {
    setByFlag(refs, *ref, type == "tag" ? "true" : type == "branch" ? "false" : "");
  } else {
    setByFlag(refs, *ref, payload.text("/tag"));
  }
  refs.ref = *ref;
}

void fromEvent(DeliveryRefs& refs, std::string_view event, const Payload& payload) {
  const auto kind = payload.text("/object_kind").value_or("");  // GitLab names its events here
  std::optional<std::string> branch;
  if (event.starts_with("pull_request")) {
    branch = payload.text("/pull_request/base/ref");
  } else if (kind == "merge_request") {
    branch = payload.text("/object_attributes/target_branch");
  } else if (kind == "pipeline") {
    if (const auto ref = payload.text("/object_attributes/ref"))
      setByFlag(refs, *ref, payload.text("/object_attributes/tag"));
  } else if (event == "workflow_run" || event == "workflow_job" || event == "check_suite") {
    branch = payload.text(std::string("/").append(event).append("/head_branch"));
  } else if (event == "check_run") {
    branch = payload.text("/check_run/check_suite/head_branch");
  } else if (event == "release") {
    if (const auto tag = payload.text("/release/tag_name")) refs.tag = *tag;
  }
  // head_branch is null for a run on a tag or a detached head.
  if (branch && *branch != "null") refs.branch = *branch;
}

}  // namespace

DeliveryRefs deliveryRefs(std::string_view event, const Payload& payload) {
  DeliveryRefs refs;
  fromRef(refs, payload);
  if (refs.branch.empty() && refs.tag.empty()) fromEvent(refs, event, payload);
  if (!refs.branch.empty()) refs.ref = std::string(kHeads).append(refs.branch);
  if (!refs.tag.empty()) refs.ref = std::string(kTags).append(refs.tag);
  return refs;
}

}  // namespace forgehook::rules
