#pragma once
// Reading a delivery's body: JSON validation and the few facts forgehook indexes
// (action, repository, sender). simdjson stays inside payload.cc. Thread-safe.
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::ingest {

enum class PayloadShape {
  GitHubLike,  // GitHub, Gitea, Forgejo: action, repository.full_name, sender.login
  GitLab,      // object_attributes.action, project.path_with_namespace, user_username / user.username
};

struct PayloadFacts {
  std::string action;
  std::string repository;
  std::string sender;
};

// Validates that `json` is one JSON object and reads its facts.
// Errors: InvalidArgument "malformed_json".
[[nodiscard]] core::Result<PayloadFacts> inspectPayload(std::string_view json, PayloadShape shape);

}  // namespace forgehook::ingest
