#include "forge/default_events.h"

namespace forgehook::forge {

std::vector<std::string> defaultHookEvents(const std::string& forge) {
  if (forge == "gitlab")
    return {"push_events",         "tag_push_events", "issues_events",   "merge_requests_events",
            "note_events",         "job_events",      "pipeline_events", "releases_events",
            "deployment_events"};
  if (forge == "gitea")
    return {"push", "create", "delete", "issues", "issue_comment", "pull_request", "pull_request_review_approved",
            "pull_request_review_rejected", "pull_request_review_comment", "release", "repository"};
  // GitHub: every event the model maps (model/github_mapper.cc), plus ping which GitHub always sends.
  return {"push",           "pull_request",     "pull_request_review", "pull_request_review_comment",
          "issues",         "issue_comment",    "commit_comment",      "milestone",
          "create",         "delete",           "release",             "workflow_run",
          "workflow_job",   "check_suite",      "deployment",          "deployment_status",
          "repository"};
}

}  // namespace forgehook::forge
