// GitHub (and Gitea/Forgejo, which send GitHub-shaped payloads) to records. Each event writes the
// entities it carries a full picture of, with that picture's own timestamp as version, plus one
// activity line. See store/activity.h for why this converges whatever the delivery order.
#include <map>

#include "model/forge_mappers.h"
#include "model/mapping_context.h"
#include "model/record_builder.h"

namespace forgehook::model {
namespace {

using store::WriteMode;

// Rank of an action within one second of an entity's life: later stages win ties.
int actionRank(const std::string& action) {
  static const std::map<std::string, int, std::less<>> ranks = {
      {"opened", 0},      {"created", 0},     {"requested", 0}, {"queued", 0},    {"submitted", 1},
      {"synchronize", 2}, {"in_progress", 2}, {"reopened", 3},  {"published", 3}, {"released", 3},
      {"closed", 4},      {"completed", 4},   {"dismissed", 5}, {"deleted", 9},
  };
  const auto it = ranks.find(action);
  return it == ranks.end() ? 1 : it->second;
}

// A GitHub-shaped delivery adds its event (X-GitHub-Event / X-Gitea-Event) and payload action.
struct Context : MappingContext {
  const std::string& event;
  const std::string action;
};

void mapRepository(Context& c) {
  const JsonView repo = c.p["repository"];
  if (!repo.exists()) return;
  c.repoId = repo["id"].str();
  if (c.repoId.empty()) return;
  c.out.activity.repoId = c.repoId;
  const bool deleted = c.event == "repository" && c.action == "deleted";
  const auto updated = repo["updated_at"].time().value_or(0);
  Fields f;
  f.text("full_name", repo["full_name"].str())
      .flag("private", repo["private"].boolean())
      .flag("archived", repo["archived"].boolean())
      .flag("deleted", deleted)
      .textOrNull("default_branch", repo["default_branch"].str())
      .textOrNull("url", repo["html_url"].str());
  c.write("repositories", c.key({{"repo_id", c.repoId}}), std::move(f),
          version(updated, c.event == "repository" ? actionRank(c.action) : 0));
  if (!repo["full_name"].str().empty()) c.out.activity.repository = repo["full_name"].str();
}

void mapPullRequest(Context& c) {
  const JsonView pr = c.p["pull_request"];
  const auto number = pr["number"].integer();
  if (!number) return;
  const std::string title = pr["title"].str();
  const std::string headRef = pr["head"]["ref"].str();
  const std::string labels = namesJson(pr["labels"], "name");
  std::string state = pr["state"].str();
  if (pr["merged_at"].exists() || pr["merged"].isTrue()) state = "merged";
  Fields f;
  f.flag("stub", false)
      .text("title", title)
      .text("state", state)
      .flag("draft", pr["draft"].boolean())
      .text("author", pr["user"]["login"].str())
      .text("base_ref", pr["base"]["ref"].str())
      .text("head_ref", headRef)
      .number("created_at", pr["created_at"].time())
      .number("updated_at", pr["updated_at"].time())
      .number("merged_at", pr["merged_at"].time())
      .number("closed_at", pr["closed_at"].time())
      .number("additions", pr["additions"].integer())
      .number("deletions", pr["deletions"].integer())
      .number("changed_files", pr["changed_files"].integer())
      .text("labels", labels)
      .text("url", pr["html_url"].str())
      // GitHub's revert button names the branch revert-<number>-<branch> and the title "Revert ...".
      .flag("is_revert", title.starts_with("Revert") || headRef.starts_with("revert-"))
      .flag("is_hotfix", containsIgnoreCase(title, "hotfix") || containsIgnoreCase(labels, "hotfix"));
  c.write("pulls", c.key({{"repo_id", c.repoId}, {"number", *number}}), std::move(f),
          version(pr["updated_at"].time().value_or(0), actionRank(c.action)));
  std::string verb = c.action == "closed" && state == "merged" ? "merged" : c.action;
  c.activity(pr["updated_at"].time(),
             c.actor() + " " + verb + " pull request #" + std::to_string(*number) + ": " + title, pr["html_url"].str());
}

// A review may arrive before its pull request: leave a stub the pull request event fills in.
void pullStub(Context& c, const JsonView& pr) {
  const auto number = pr["number"].integer();
  if (!number) return;
  Fields f;
  f.flag("stub", true)
      .text("title", pr["title"].str())
      .text("author", pr["user"]["login"].str())
      .number("created_at", pr["created_at"].time())
      .text("url", pr["html_url"].str());
  c.write("pulls", c.key({{"repo_id", c.repoId}, {"number", *number}}), std::move(f), 0, WriteMode::InsertIfAbsent);
}

void mapReview(Context& c) {
  const JsonView review = c.p["review"], pr = c.p["pull_request"];
  const auto number = pr["number"].integer();
  if (!number) return;
  pullStub(c, pr);
  std::string state = review["state"].str();
  for (auto& ch : state) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (c.action == "dismissed") state = "dismissed";
  const auto submitted = review["submitted_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .number("pr_number", *number)
      .text("reviewer", review["user"]["login"].str())
      .text("state", state)
      .number("submitted_at", submitted)
      .text("url", review["html_url"].str());
  c.write("reviews", c.key({{"review_id", review["id"].str()}}), std::move(f),
          version(submitted.value_or(0), actionRank(c.action)));
  c.activity(
      submitted,
      c.actor() + " " + (c.action == "submitted" ? state : c.action) + " a review on #" + std::to_string(*number),
      review["html_url"].str());
}

void mapComment(Context& c, const std::string& kind, const JsonView& target) {
  const JsonView comment = c.p["comment"];
  const std::string id = comment["id"].str();
  if (id.empty()) return;
  const auto updated = comment["updated_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .number("target_number", target["number"].integer())
      .text("author", comment["user"]["login"].str())
      .number("created_at", comment["created_at"].time())
      .flag("deleted", c.action == "deleted");
  c.write("comments", c.key({{"kind", kind}, {"comment_id", id}}), std::move(f),
          version(updated.value_or(0), actionRank(c.action)));
  std::string where = target["number"].integer() ? " on #" + std::to_string(*target["number"].integer()) : "";
  c.activity(updated, c.actor() + " " + c.action + " a comment" + where, comment["html_url"].str());
}

void mapMilestone(Context& c, const JsonView& m, int rank) {
  const std::string id = m["id"].str();
  if (id.empty()) return;
  Fields f;
  f.text("repo_id", c.repoId)
      .number("number", m["number"].integer())
      .text("title", m["title"].str())
      .text("state", m["state"].str())
      .number("open_issues", m["open_issues"].integer())
      .number("closed_issues", m["closed_issues"].integer())
      .number("due_on", m["due_on"].time())
      .number("created_at", m["created_at"].time())
      .number("closed_at", m["closed_at"].time())
      .flag("deleted", c.event == "milestone" && c.action == "deleted");
  c.write("milestones", c.key({{"milestone_id", id}}), std::move(f), version(m["updated_at"].time().value_or(0), rank));
}

void mapIssue(Context& c) {
  const JsonView issue = c.p["issue"];
  const auto number = issue["number"].integer();
  if (!number) return;
  const auto updated = issue["updated_at"].time();
  std::string state = c.action == "deleted" ? "deleted" : issue["state"].str();
  Fields f;
  f.text("title", issue["title"].str())
      .text("state", state)
      .textOrNull("state_reason", issue["state_reason"].str())
      .text("author", issue["user"]["login"].str())
      .text("labels", namesJson(issue["labels"], "name"))
      .text("assignees", namesJson(issue["assignees"], "login"))
      .textOrNull("milestone_id", issue["milestone"]["id"].str())
      .textOrNull("milestone", issue["milestone"]["title"].str())
      .number("created_at", issue["created_at"].time())
      .number("updated_at", updated)
      .number("closed_at", issue["closed_at"].time())
      .text("url", issue["html_url"].str());
  c.write("issues", c.key({{"repo_id", c.repoId}, {"number", *number}}), std::move(f),
          version(updated.value_or(0), actionRank(c.action)));
  // Kept as a set so "was it ever reopened" does not depend on the order deliveries arrive in.
  if (c.action == "reopened")
    c.write("issue_reopens", c.key({{"repo_id", c.repoId}, {"number", *number}, {"reopened_at", updated.value_or(0)}}),
            Fields{}, 0, WriteMode::InsertIfAbsent);
  if (issue["milestone"].exists()) mapMilestone(c, issue["milestone"], 0);
  c.activity(updated, c.actor() + " " + c.action + " issue #" + std::to_string(*number) + ": " + issue["title"].str(),
             issue["html_url"].str());
}

int runStatusRank(const std::string& status) {
  if (status == "completed") return 4;
  if (status == "in_progress") return 2;
  return 0;
}

void mapRun(Context& c, const char* kind, const JsonView& run, std::string workflow,
            std::optional<std::int64_t> started, std::optional<std::int64_t> updated,
            std::optional<std::int64_t> completedAt) {
  const std::string id = run["id"].str();
  if (id.empty()) return;
  const std::string status = run["status"].str(), conclusion = run["conclusion"].str();
  const std::string branch = run["head_branch"].str();
  if (status == "completed" && !completedAt) completedAt = updated;
  std::optional<std::int64_t> duration;
  if (started && completedAt) duration = *completedAt - *started;
  Fields f;
  f.text("repo_id", c.repoId)
      .text("workflow", workflow)
      .text("name", run["name"].str())
      .text("branch", branch)
      .text("sha", run["head_sha"].str())
      .textOrNull("trigger_event", run["event"].str())
      .text("status", status)
      .textOrNull("conclusion", conclusion)
      .number("started_at", started)
      .number("completed_at", completedAt)
      .number("duration_seconds", duration)
      .text("url", run["html_url"].str());
  const std::int64_t attempt = run["run_attempt"].integer().value_or(1);
  c.write("runs", c.key({{"kind", std::string(kind)}, {"run_id", id}, {"attempt", attempt}}), std::move(f),
          version(updated.value_or(0), runStatusRank(status)));
  if (std::string_view(kind) == "workflow_run" && status == "completed" && !branch.empty())
    c.out.incidentScopes.push_back({c.forge, c.repoId, workflow, branch});
  c.activity(updated, workflow + " " + (conclusion.empty() ? status : conclusion) + " on " + branch,
             run["html_url"].str());
}

void mapRelease(Context& c) {
  const JsonView r = c.p["release"];
  const std::string id = r["id"].str();
  if (id.empty()) return;
  const auto created = r["created_at"].time(), published = r["published_at"].time();
  Fields f;
  f.text("repo_id", c.repoId)
      .text("tag", r["tag_name"].str())
      .text("name", r["name"].str())
      .flag("draft", r["draft"].boolean())
      .flag("prerelease", r["prerelease"].boolean())
      .text("author", r["author"]["login"].str())
      .number("created_at", created)
      .number("published_at", published)
      .flag("deleted", c.action == "deleted")
      .text("url", r["html_url"].str());
  c.write("releases", c.key({{"release_id", id}}), std::move(f),
          version(published.value_or(created.value_or(0)), actionRank(c.action)));
  c.activity(published ? published : created, c.actor() + " " + c.action + " release " + r["tag_name"].str(),
             r["html_url"].str());
}

std::pair<std::string, std::string> splitRef(const std::string& ref) {
  if (ref.starts_with("refs/heads/")) return {ref.substr(11), "branch"};
  if (ref.starts_with("refs/tags/")) return {ref.substr(10), "tag"};
  return {ref, "branch"};
}

void mapPush(Context& c) {
  const auto [ref, type] = splitRef(c.p["ref"].str());
  if (ref.empty()) return;
  const auto pushedAt = c.p["repository"]["pushed_at"].time();
  const bool deleted = c.p["deleted"].isTrue(), forced = c.p["forced"].isTrue(), created = c.p["created"].isTrue();
  const auto commits = static_cast<std::int64_t>(c.p["commits"].array().size());
  Fields push;
  push.flag("forced", forced)
      .flag("created", created)
      .flag("deleted", deleted)
      .number("commits", commits)
      .text("pusher", c.p["pusher"]["name"].str())
      .number("pushed_at", pushedAt);
  c.write("pushes",
          c.key({{"repo_id", c.repoId},
                 {"ref", ref},
                 {"before_sha", c.p["before"].str()},
                 {"after_sha", c.p["after"].str()}}),
          std::move(push), 0, WriteMode::InsertIfAbsent);
  Fields head;
  head.text("ref_type", type).textOrNull("sha", deleted ? "" : c.p["after"].str()).flag("deleted", deleted);
  c.write("refs", c.key({{"repo_id", c.repoId}, {"ref", ref}}), std::move(head),
          version(pushedAt.value_or(0), deleted ? 2 : 1));
  std::string what = deleted  ? "deleted "
                     : forced ? "force-pushed " + std::to_string(commits) + " commit(s) to "
                              : "pushed " + std::to_string(commits) + " commit(s) to ";
  c.activity(pushedAt, c.actor() + " " + what + type + " " + ref, c.p["compare"].str());
}

void mapCreateDelete(Context& c) {
  const std::string ref = c.p["ref"].str(), type = c.p["ref_type"].str();
  if (ref.empty() || (type != "branch" && type != "tag")) return;
  // These carry no timestamp: a create only makes the ref known; its state comes from push events.
  if (c.event == "create") {
    Fields f;
    f.text("ref_type", type).flag("deleted", false);
    c.write("refs", c.key({{"repo_id", c.repoId}, {"ref", ref}}), std::move(f), 0, WriteMode::InsertIfAbsent);
  }
  c.activity(std::nullopt, c.actor() + " " + (c.event == "create" ? "created " : "deleted ") + type + " " + ref, "");
}

void mapDeployment(Context& c, const JsonView& dep) {
  const std::string id = dep["id"].str();
  if (id.empty()) return;
  Fields f;
  f.text("repo_id", c.repoId)
      .text("environment", dep["environment"].str())
      .text("ref", dep["ref"].str())
      .text("sha", dep["sha"].str())
      .text("creator", dep["creator"]["login"].str())
      .number("created_at", dep["created_at"].time());
  c.write("deployments", c.key({{"deployment_id", id}}), std::move(f),
          version(dep["updated_at"].time().value_or(0), 0));
}

void mapDeploymentStatus(Context& c) {
  const JsonView status = c.p["deployment_status"], dep = c.p["deployment"];
  mapDeployment(c, dep);
  const std::string id = status["id"].str();
  if (id.empty()) return;
  const auto at = status["updated_at"].time();
  Fields f;
  f.text("deployment_id", dep["id"].str())
      .text("state", status["state"].str())
      .number("created_at", status["created_at"].time());
  c.write("deployment_statuses", c.key({{"status_id", id}}), std::move(f), version(at.value_or(0), 0));
  c.activity(at, "deployment to " + dep["environment"].str() + " is " + status["state"].str(),
             status["target_url"].str());
}

void mapMilestoneEvent(Context& c) {
  const JsonView m = c.p["milestone"];
  mapMilestone(c, m, actionRank(c.action));
  c.activity(m["updated_at"].time(), c.actor() + " " + c.action + " milestone " + m["title"].str(),
             m["html_url"].str());
}

void mapWorkflowRun(Context& c) {
  const JsonView run = c.p["workflow_run"];
  std::string workflow = c.p["workflow"]["name"].str();
  if (workflow.empty()) workflow = run["name"].str();
  mapRun(c, "workflow_run", run, workflow, run["run_started_at"].time(), run["updated_at"].time(), std::nullopt);
}

void mapWorkflowJob(Context& c) {
  const JsonView job = c.p["workflow_job"];
  mapRun(c, "workflow_job", job, job["workflow_name"].str(), job["started_at"].time(),
         job["completed_at"].exists() ? job["completed_at"].time() : job["started_at"].time(),
         job["completed_at"].time());
}

void mapCheckSuite(Context& c) {
  const JsonView suite = c.p["check_suite"];
  mapRun(c, "check_suite", suite, suite["app"]["name"].str(), suite["created_at"].time(), suite["updated_at"].time(),
         std::nullopt);
}

void mapDeploymentEvent(Context& c) {
  const JsonView dep = c.p["deployment"];
  mapDeployment(c, dep);
  c.activity(dep["created_at"].time(), c.actor() + " deployed " + dep["ref"].str() + " to " + dep["environment"].str(),
             "");
}

// The repository row itself is written by mapRepository for every event; this adds the line.
void mapRepositoryEvent(Context& c) {
  const JsonView repo = c.p["repository"];
  c.activity(repo["updated_at"].time(), c.actor() + " " + c.action + " repository " + repo["full_name"].str(),
             repo["html_url"].str());
}

struct EventMapper {
  std::string_view event;  // X-GitHub-Event / X-Gitea-Event
  void (*map)(Context&);
  bool giteaSends;  // Gitea delivers this event under this name with a GitHub-shaped payload
};

// The one dispatch table: mapGitHubLike looks events up here and gitHubLikeEvents() lists it, so
// the events to subscribe to cannot drift from the events mapped. In the order lists show them.
constexpr EventMapper kEventMappers[] = {
    {"pull_request", mapPullRequest, true},
    {"pull_request_review", mapReview, false},
    {"pull_request_review_comment", [](Context& c) { mapComment(c, "review_comment", c.p["pull_request"]); }, false},
    {"issues", mapIssue, true},
    {"issue_comment", [](Context& c) { mapComment(c, "issue_comment", c.p["issue"]); }, true},
    {"commit_comment", [](Context& c) { mapComment(c, "commit_comment", JsonView()); }, false},
    {"milestone", mapMilestoneEvent, false},
    {"push", mapPush, true},
    {"create", mapCreateDelete, true},
    {"delete", mapCreateDelete, true},
    {"release", mapRelease, true},
    {"workflow_run", mapWorkflowRun, false},
    {"workflow_job", mapWorkflowJob, false},
    {"check_suite", mapCheckSuite, false},
    {"deployment", mapDeploymentEvent, false},
    {"deployment_status", mapDeploymentStatus, false},
    {"repository", mapRepositoryEvent, true},
};

}  // namespace

std::vector<std::string_view> gitHubLikeEvents(bool giteaOnly) {
  std::vector<std::string_view> events;
  for (const auto& m : kEventMappers)
    if (!giteaOnly || m.giteaSends) events.push_back(m.event);
  return events;
}

void mapGitHubLike(const std::string& forge, const std::string& event, const JsonView& payload,
                   store::ProcessedDelivery& out) {
  Context c{{forge, payload, out, ""}, event, payload["action"].str()};
  mapRepository(c);
  if (c.repoId.empty()) return;  // org-level events: activity only
  for (const auto& m : kEventMappers)
    if (m.event == event) return m.map(c);
}

}  // namespace forgehook::model
