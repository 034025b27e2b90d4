#include "model/event_key.h"

#include <initializer_list>

namespace forgehook::model {
namespace {

// `event` and each part joined by ':', or "" when a part is empty.
std::string join(std::string_view event, std::initializer_list<std::string> parts) {
  std::string key(event);
  for (const auto& part : parts) {
    if (part.empty()) return {};
    key += ':';
    key.append(part);
  }
  return key;
}

// The label, assignee or reviewer an action is about: two such events of one item can share its
// updated_at (GitHub adds two labels in the same second), and must stay two.
std::string subjectOf(const JsonView& payload) {
  if (auto label = payload["label"]["name"].str(); !label.empty()) return label;
  if (auto reviewer = payload["requested_reviewer"]["login"].str(); !reviewer.empty()) return reviewer;
  if (auto team = payload["requested_team"]["slug"].str(); !team.empty()) return "team/" + team;
  return payload["assignee"]["login"].str();
}

std::string itemKey(std::string_view event, const JsonView& payload, const JsonView& item) {
  auto key = join(event, {payload["repository"]["id"].str(), item["number"].str(), payload["action"].str(),
                          item["updated_at"].str()});
  if (auto subject = subjectOf(payload); !key.empty() && !subject.empty()) {
    key += ':';
    key.append(subject);
  }
  return key;
}

}  // namespace

std::string eventKey(std::string_view event, const JsonView& payload) {
  const auto repoId = payload["repository"]["id"].str();
  if (event == "push") {
    // The Events API's PushEvent names the new head `head` where the webhook says `after`.
    auto after = payload["after"].str();
    if (after.empty()) after = payload["head"].str();
    return join(event, {repoId, payload["ref"].str(), after});
  }
  if (event == "pull_request") return itemKey(event, payload, payload["pull_request"]);
  if (event == "issues") return itemKey(event, payload, payload["issue"]);
  if (event == "issue_comment") {
    const auto comment = payload["comment"];
    return join(event, {comment["id"].str(), payload["action"].str(), comment["updated_at"].str()});
  }
  if (event == "pull_request_review") {
    const auto review = payload["review"];
    return join(event, {review["id"].str(), payload["action"].str(), review["submitted_at"].str()});
  }
  if (event == "release") return join(event, {payload["release"]["id"].str(), payload["action"].str()});
  if (event == "create" || event == "delete")
    return join(event, {payload["ref_type"].str(), payload["ref"].str(), repoId});
  return {};
}

}  // namespace forgehook::model
