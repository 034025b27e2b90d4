// GitLab to the same records as GitHub: merge requests are pulls, approvals are reviews, pipelines
// are runs (and open incidents), notes are comments. GitLab payloads carry fewer timestamps than
// GitHub's; where one is missing the version is 0 and the last processed delivery wins.
#include "core/forge.h"
#include "model/forge_mappers.h"
#include "model/mapping_context.h"
#include "model/record_builder.h"

namespace forgehook::model {
namespace {

using store::WriteMode;

int rankOf(const std::string& action) {
  if (action == "open") return 0;
  if (action == "reopen") return 3;
  if (action == "close" || action == "merge") return 4;
  return 1;
}

void mapProject(MappingContext& c) {
  const JsonView project = c.p["project"];
  c.repoId = project["id"].str();
  if (c.repoId.empty()) c.repoId = c.p["project_id"].str();
  if (c.repoId.empty()) return;
  c.out.activity.repoId = c.repoId;
  if (!project.exists()) return;
  Fields f;
  f.text("full_name", project["path_with_namespace"].str())
      .flag("deleted", false)
      .textOrNull("default_branch", project["default_branch"].str())
      .textOrNull("url", project["web_url"].str());
  c.write("repositories", c.key({{"repo_id", c.repoId}}), std::move(f), 0);
}

void mapMergeRequest(MappingContext& c) {
  const JsonView mr = c.p["object_attributes"];
  const auto number = mr["iid"].integer();
  if (!number) return;
  const std::string action = mr["action"].str(), title = mr["title"].str(), source = mr["source_branch"].str();
  const auto updated = mr["updated_at"].time();
  std::string state = mr["state"].str();
  if (state == "opened")
    state = "open";
  else if (state == "locked")
    state = "closed";
  const std::string labels = namesJson(c.p["labels"].exists() ? c.p["labels"] : mr["labels"], "title");
  const auto mrKey = c.key({{"repo_id", c.repoId}, {"number", *number}});
  if (action == "approved" || action == "unapproved") {
    // An approval is GitLab's review: one per approver, withdrawn by "unapproved".
    const std::string reviewer = c.p["user"]["username"].str();
    Fields r;
    r.text("repo_id", c.repoId)
        .number("pr_number", *number)
        .text("reviewer", reviewer)
        .text("state", action == "approved" ? "approved" : "dismissed")
        .number("submitted_at", updated)
        .text("url", mr["url"].str());
    c.write("reviews", c.key({{"review_id", "mr:" + c.repoId + ":" + std::to_string(*number) + ":" + reviewer}}),
            std::move(r), version(updated.value_or(0), action == "approved" ? 1 : 5));
  }
  Fields f;
  f.flag("stub", false)
      .text("title", title)
      .text("state", state)
      .flag("draft", mr["draft"].exists() ? mr["draft"].boolean() : mr["work_in_progress"].boolean())
      .text("base_ref", mr["target_branch"].str())
      .text("head_ref", source)
      .number("created_at", mr["created_at"].time())
      .number("updated_at", updated)
      .number("closed_at", state == "closed" ? updated : std::nullopt)
      .text("labels", labels)
      .text("url", mr["url"].str())
      .flag("is_revert", title.starts_with("Revert") || source.starts_with("revert-"))
      .flag("is_hotfix", containsIgnoreCase(title, "hotfix") || containsIgnoreCase(labels, "hotfix"));
  c.write("pulls", mrKey, std::move(f), version(updated.value_or(0), rankOf(action)));
  // Learned once, from the one event that knows them.
  Fields once;
  if (action == "open") once.text("author", c.p["user"]["username"].str());
  if (action == "merge") once.number("merged_at", mr["merged_at"].exists() ? mr["merged_at"].time() : updated);
  if (auto fields = once.take(); !fields.empty())
    c.out.writes.push_back({"pulls", mrKey, std::move(fields), 0, WriteMode::FillMissing});
  c.activity(updated,
             c.actor() + " " + (action.empty() ? "updated" : action) + " merge request !" + std::to_string(*number) +
                 ": " + title,
             mr["url"].str());
}

void mapPipeline(MappingContext& c) {
  const JsonView pl = c.p["object_attributes"];
  const std::string id = pl["id"].str();
  if (id.empty()) return;
  const std::string raw = pl["status"].str(), branch = pl["ref"].str();
  std::string status = "queued", conclusion;
  if (raw == "running")
    status = "in_progress";
  else if (raw == "success" || raw == "failed" || raw == "canceled" || raw == "skipped") {
    status = "completed";
    conclusion = raw == "failed" ? "failure" : raw == "canceled" ? "cancelled" : raw;
  }
  std::string workflow = pl["name"].str();
  if (workflow.empty()) workflow = "pipeline";
  const auto created = pl["created_at"].time(), finished = pl["finished_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .text("workflow", workflow)
      .text("name", workflow)
      .text("branch", branch)
      .text("sha", pl["sha"].str())
      .textOrNull("trigger_event", pl["source"].str())
      .text("status", status)
      .textOrNull("conclusion", conclusion)
      .number("started_at", created)
      .number("completed_at", finished)
      .number("duration_seconds", pl["duration"].integer())
      .text("url", pl["url"].str());
  c.write("runs", c.key({{"kind", std::string("pipeline")}, {"run_id", id}, {"attempt", std::int64_t{1}}}),
          std::move(f),
          version(finished.value_or(created.value_or(0)), status == "completed"     ? 4
                                                          : status == "in_progress" ? 2
                                                                                    : 0));
  if (status == "completed" && !branch.empty()) c.out.incidentScopes.push_back({c.forge, c.repoId, workflow, branch});
  c.activity(finished ? finished : created, workflow + " " + raw + " on " + branch, pl["url"].str());
}

void mapIssue(MappingContext& c) {
  const JsonView is = c.p["object_attributes"];
  const auto number = is["iid"].integer();
  if (!number) return;
  const std::string action = is["action"].str();
  const auto updated = is["updated_at"].time();
  std::string state = is["state"].str();
  if (state == "opened") state = "open";
  Fields f;
  f.text("title", is["title"].str())
      .text("state", state)
      .text("labels", namesJson(c.p["labels"].exists() ? c.p["labels"] : is["labels"], "title"))
      .text("assignees", namesJson(c.p["assignees"], "username"))
      .textOrNull("milestone_id", is["milestone_id"].str())
      .number("created_at", is["created_at"].time())
      .number("updated_at", updated)
      .number("closed_at", is["closed_at"].time())
      .text("url", is["url"].str());
  const auto issueKey = c.key({{"repo_id", c.repoId}, {"number", *number}});
  c.write("issues", issueKey, std::move(f), version(updated.value_or(0), rankOf(action)));
  if (action == "open")
    c.out.writes.push_back(
        {"issues", issueKey, Fields{}.text("author", c.p["user"]["username"].str()).take(), 0, WriteMode::FillMissing});
  if (action == "reopen")
    c.write("issue_reopens", c.key({{"repo_id", c.repoId}, {"number", *number}, {"reopened_at", updated.value_or(0)}}),
            Fields{}, 0, WriteMode::InsertIfAbsent);
  c.activity(updated,
             c.actor() + " " + (action.empty() ? "updated" : action) + " issue #" + std::to_string(*number) + ": " +
                 is["title"].str(),
             is["url"].str());
}

void mapNote(MappingContext& c) {
  const JsonView note = c.p["object_attributes"];
  const std::string id = note["id"].str(), type = note["noteable_type"].str();
  if (id.empty()) return;
  std::optional<std::int64_t> target;
  if (type == "MergeRequest")
    target = c.p["merge_request"]["iid"].integer();
  else if (type == "Issue")
    target = c.p["issue"]["iid"].integer();
  const auto updated = note["updated_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .number("target_number", target)
      .text("author", c.p["user"]["username"].str())
      .number("created_at", note["created_at"].time())
      .flag("deleted", false);
  c.write("comments", c.key({{"kind", "note_" + type}, {"comment_id", id}}), std::move(f),
          version(updated.value_or(0), 1));
  c.activity(updated, c.actor() + " commented on " + type + (target ? " " + std::to_string(*target) : ""),
             note["url"].str());
}

void mapPush(MappingContext& c, bool tag) {
  std::string ref = c.p["ref"].str();
  const std::string prefix = tag ? "refs/tags/" : "refs/heads/";
  if (ref.starts_with(prefix)) ref = ref.substr(prefix.size());
  if (ref.empty()) return;
  const std::string after = c.p["after"].str();
  const bool deleted = after.find_first_not_of('0') == std::string::npos;
  const bool created = c.p["before"].str().find_first_not_of('0') == std::string::npos;
  std::optional<std::int64_t> at;
  for (const auto& commit : c.p["commits"].array())
    if (auto t = commit["timestamp"].time(); t && (!at || *t > *at)) at = t;
  const auto commits = c.p["total_commits_count"].integer().value_or(0);
  Fields push;
  push.flag("forced", false)
      .flag("created", created)
      .flag("deleted", deleted)
      .number("commits", commits)
      .text("pusher", c.p["user_username"].str())
      .number("pushed_at", at);
  c.write("pushes",
          c.key({{"repo_id", c.repoId}, {"ref", ref}, {"before_sha", c.p["before"].str()}, {"after_sha", after}}),
          std::move(push), 0, WriteMode::InsertIfAbsent);
  Fields head;
  head.text("ref_type", tag ? "tag" : "branch").textOrNull("sha", deleted ? "" : after).flag("deleted", deleted);
  c.write("refs", c.key({{"repo_id", c.repoId}, {"ref", ref}}), std::move(head),
          version(at.value_or(0), deleted ? 2 : 1));
  c.activity(at,
             c.actor() + (deleted ? " deleted " : " pushed " + std::to_string(commits) + " commit(s) to ") +
                 (tag ? "tag " : "branch ") + ref,
             "");
}

void mapRelease(MappingContext& c) {
  const std::string id = c.p["id"].str(), action = c.p["action"].str();
  if (id.empty()) return;
  const auto created = c.p["created_at"].time(), released = c.p["released_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .text("tag", c.p["tag"].str())
      .text("name", c.p["name"].str())
      .flag("draft", false)
      .flag("prerelease", false)
      .number("created_at", created)
      .number("published_at", released)
      .flag("deleted", action == "delete")
      .text("url", c.p["url"].str());
  c.write("releases", c.key({{"release_id", id}}), std::move(f),
          version(released.value_or(created.value_or(0)), action == "delete"   ? 9
                                                          : action == "update" ? 1
                                                                               : 0));
  c.activity(created, c.actor() + " " + action + "d release " + c.p["tag"].str(), c.p["url"].str());
}

struct KindMapper {
  std::string_view objectKind;
  void (*map)(MappingContext&);
};

// The one dispatch table: mapGitLab looks object_kind up here and gitLabEvents() lists it.
constexpr KindMapper kKindMappers[] = {
    {"merge_request", mapMergeRequest},
    {"issue", mapIssue},
    {"work_item", mapIssue},
    {"note", mapNote},
    {"push", [](MappingContext& c) { mapPush(c, false); }},
    {"tag_push", [](MappingContext& c) { mapPush(c, true); }},
    {"release", mapRelease},
    {"pipeline", mapPipeline},
};

}  // namespace

std::vector<std::string_view> gitLabEvents() {
  std::vector<std::string_view> kinds;
  for (const auto& m : kKindMappers) kinds.push_back(m.objectKind);
  return kinds;
}

void mapGitLab(const JsonView& payload, store::ProcessedDelivery& out) {
  MappingContext c{std::string(core::forgeName(core::Forge::GitLab)), payload, out, ""};
  const std::string kind = payload["object_kind"].str();
  if (!kind.empty()) out.activity.kind = kind;
  mapProject(c);
  if (c.repoId.empty()) return;
  for (const auto& m : kKindMappers)
    if (m.objectKind == kind) return m.map(c);
}

}  // namespace forgehook::model
