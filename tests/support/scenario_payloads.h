#pragma once
// Scenario payloads: GitHub's own examples (via scenario_world.h's example()) edited only in the
// fields a scenario needs, all about one repository and starting at kScenarioT0. Shared by the
// pipeline scenarios and the change recorder's tests.
#include <string>
#include <vector>

#include "support/scenario_world.h"

namespace forgehook::testing {

inline const json& baseRepository() {
  static const json repo = example("pull_request", "opened")["repository"];
  return repo;
}

// An example with its repository replaced, so every delivery of a scenario is about one repository.
inline json onRepo(json payload) {
  payload["repository"] = baseRepository();
  return payload;
}

inline json pullRequest(const std::string& action, std::int64_t updated, int number = 7) {
  json p = onRepo(example("pull_request", "opened"));
  p["action"] = action;
  p["number"] = number;
  auto& pr = p["pull_request"];
  pr["number"] = number;
  pr["title"] = "Add the sprint board";
  pr["created_at"] = iso(kScenarioT0);
  pr["updated_at"] = iso(updated);
  pr["state"] = "open";
  pr["merged"] = false;
  pr["merged_at"] = nullptr;
  pr["closed_at"] = nullptr;
  return p;
}

inline json mergedPullRequest(std::int64_t at, int number = 7) {
  json p = pullRequest("closed", at, number);
  p["pull_request"]["state"] = "closed";
  p["pull_request"]["merged"] = true;
  p["pull_request"]["merged_at"] = iso(at);
  p["pull_request"]["closed_at"] = iso(at);
  return p;
}

// Closed without being merged.
inline json closedPullRequest(std::int64_t at, int number = 7) {
  json p = pullRequest("closed", at, number);
  p["pull_request"]["state"] = "closed";
  p["pull_request"]["closed_at"] = iso(at);
  return p;
}

inline json review(std::int64_t submitted, const std::string& reviewer = "octo-reviewer", int number = 7,
                   int id = 5001) {
  json p = onRepo(example("pull_request_review", "submitted"));
  p["pull_request"]["number"] = number;
  p["pull_request"]["title"] = "Add the sprint board";
  p["pull_request"]["created_at"] = iso(kScenarioT0);
  p["review"]["id"] = id;
  p["review"]["user"]["login"] = reviewer;
  p["review"]["state"] = "approved";
  p["review"]["submitted_at"] = iso(submitted);
  return p;
}

inline json issue(const std::string& action, std::int64_t updated, const std::string& state,
                  std::vector<std::string> labels, const std::string& reason = "") {
  json p = onRepo(example("issues", "opened"));
  p["action"] = action;
  auto& i = p["issue"];
  i["number"] = 42;
  i["title"] = "Sprint board";
  i["created_at"] = iso(kScenarioT0);
  i["updated_at"] = iso(updated);
  i["state"] = state;
  i["state_reason"] = reason.empty() ? json(nullptr) : json(reason);
  i["closed_at"] = state == "closed" ? json(iso(updated)) : json(nullptr);
  i["labels"] = json::array();
  for (const auto& l : labels) i["labels"].push_back({{"name", l}, {"color", "ededed"}});
  return p;
}

inline json workflowRun(int id, const std::string& conclusion, std::int64_t started,
                        const std::string& branch = "main") {
  json p = onRepo(example("workflow_run", "completed"));
  p["workflow"]["name"] = "CI";
  auto& r = p["workflow_run"];
  r["id"] = id;
  r["name"] = "CI";
  r["head_branch"] = branch;
  r["status"] = "completed";
  r["conclusion"] = conclusion;
  r["run_attempt"] = 1;
  r["run_started_at"] = iso(started);
  r["updated_at"] = iso(started + 600);
  return p;
}

inline Delivery gh(const std::string& event, json payload, const std::string& id) {
  return {"github", event, id, std::move(payload)};
}

}  // namespace forgehook::testing
