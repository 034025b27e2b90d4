#include "store/change_targets.h"

#include <algorithm>

namespace forgehook::store {
namespace {

const FieldValue* field(const EntityWrite& w, std::string_view name) {
  for (const auto* list : {&w.key, &w.fields})
    for (const auto& f : *list)
      if (f.name == name) return &f.value;
  return nullptr;
}

struct Target {
  Resource resource;
  std::string where;
  std::vector<std::string_view> columns;  // taken from the write, in placeholder order
};

// Planned items that follow an issue. They are linked by repository name, so an item linked before
// its repository was first seen has no repository row (r) yet and is matched by forge alone.
constexpr const char* kItemsOfIssue = "i.forge = ?1 AND i.issue_number = ?3 AND (r.repo_id = ?2 OR r.repo_id IS NULL)";

// Which rows of which resources a write to `table` may change, keyed by the write's own columns.
std::vector<Target> targetsOf(const std::string& table) {
  using R = Resource;
  if (table == "pulls")
    return {{R::Pulls, "p.forge = ?1 AND p.repo_id = ?2 AND p.number = ?3", {"forge", "repo_id", "number"}}};
  if (table == "reviews")  // the review, and its pull request's first review and review time
    return {{R::Reviews, "v.forge = ?1 AND v.review_id = ?2", {"forge", "review_id"}},
            {R::Pulls, "p.forge = ?1 AND p.repo_id = ?2 AND p.number = ?3", {"forge", "repo_id", "pr_number"}}};
  if (table == "issues")  // the issue, and the planned items that follow it
    return {{R::Issues, "s.forge = ?1 AND s.repo_id = ?2 AND s.number = ?3", {"forge", "repo_id", "number"}},
            {R::Items, kItemsOfIssue, {"forge", "repo_id", "number"}}};
  if (table == "issue_reopens") return {{R::Items, kItemsOfIssue, {"forge", "repo_id", "number"}}};
  if (table == "comments")  // comment counts of the issue or pull request
    return {{R::Issues, "s.forge = ?1 AND s.repo_id = ?2 AND s.number = ?3", {"forge", "repo_id", "target_number"}},
            {R::Pulls, "p.forge = ?1 AND p.repo_id = ?2 AND p.number = ?3", {"forge", "repo_id", "target_number"}}};
  if (table == "runs")
    return {{R::Runs,
             "u.forge = ?1 AND u.kind = ?2 AND u.run_id = ?3 AND u.attempt = ?4",
             {"forge", "kind", "run_id", "attempt"}}};
  if (table == "releases") return {{R::Releases, "e.forge = ?1 AND e.release_id = ?2", {"forge", "release_id"}}};
  if (table == "refs" || table == "pushes")
    return {{R::Branches, "f.forge = ?1 AND f.repo_id = ?2 AND f.ref = ?3", {"forge", "repo_id", "ref"}}};
  if (table == "milestones")
    return {{R::Milestones, "m.forge = ?1 AND m.milestone_id = ?2", {"forge", "milestone_id"}}};
  if (table == "deployments" || table == "deployment_statuses")
    return {{R::Deployments, "d.forge = ?1 AND d.deployment_id = ?2", {"forge", "deployment_id"}}};
  if (table == "repositories") return {{R::Repositories, "r.forge = ?1 AND r.repo_id = ?2", {"forge", "repo_id"}}};
  return {};
}

}  // namespace

std::vector<ChangeTarget> changeTargets(const ProcessedDelivery& d) {
  std::vector<ChangeTarget> out;
  const auto add = [&](ChangeTarget t) {
    for (const auto& o : out)
      if (o.resource == t.resource && o.where == t.where && o.params == t.params) return;
    out.push_back(std::move(t));
  };
  for (const auto& write : d.writes) {
    for (const auto& target : targetsOf(write.table)) {
      std::vector<FieldValue> params;
      for (const auto column : target.columns) {
        const auto* value = field(write, column);
        if (!value) break;
        params.push_back(*value);
      }
      if (params.size() == target.columns.size()) add({target.resource, target.where, std::move(params)});
    }
  }
  for (const auto& scope : d.incidentScopes)
    add({Resource::Incidents, "n.forge = ?1 AND n.repo_id = ?2 AND n.workflow = ?3 AND n.branch = ?4",
         {scope.forge, scope.repoId, scope.workflow, scope.branch}});
  add({Resource::Activity, "y.delivery_id = ?1", {d.id}});
  return out;
}

}  // namespace forgehook::store
