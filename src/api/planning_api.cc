#include "api/planning_api.h"
#include "core/forge.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "api/query_params.h"
#include "core/time.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

const std::set<std::string> kItemStatuses = {"planned", "in_progress", "completed", "not_planned", "blocked"};

core::Result<store::ItemInput> itemInput(const json& body, bool creating) {
  store::ItemInput in;
  for (auto [name, slot] : {std::pair{"title", &in.title}, std::pair{"description", &in.description},
                            std::pair{"owner", &in.owner}, std::pair{"status", &in.status}}) {
    auto v = optionalString(body, name);
    if (!v) return std::unexpected(v.error());
    *slot = *v;
  }
  if (auto ok = onlyFields(body, {"title", "description", "owner", "status", "tags", "due_on", "issue"}); !ok)
    return std::unexpected(ok.error());
  if (creating && (!in.title || in.title->empty())) return std::unexpected(invalidArgument("title is required"));
  if (in.title && (in.title->empty() || in.title->size() > 500))
    return std::unexpected(invalidArgument("title must be 1 to 500 characters"));
  if (in.status && !kItemStatuses.contains(*in.status))
    return std::unexpected(invalidArgument("status must be planned, in_progress, completed, not_planned or blocked"));
  if (body.contains("tags")) {
    const auto& tags = body["tags"];
    if (!tags.is_array() || !std::all_of(tags.begin(), tags.end(), [](const json& t) { return t.is_string(); }))
      return std::unexpected(invalidArgument("tags must be an array of strings"));
    in.tagsJson = tags.dump();
  }
  if (body.contains("due_on")) {
    if (body["due_on"].is_null()) {
      in.dueOn = std::optional<std::int64_t>{};
    } else {
      auto micros = body["due_on"].is_string() ? core::parseTimestamp(body["due_on"].get<std::string>()) : std::nullopt;
      if (!micros) return std::unexpected(invalidArgument("due_on must be an RFC 3339 time or null"));
      in.dueOn = std::optional<std::int64_t>(*micros / 1'000'000);
    }
  }
  if (body.contains("issue")) {
    const auto& issue = body["issue"];
    if (issue.is_null()) {
      in.unlink = true;
    } else {
      if (!issue.is_object() || !issue.contains("repository") || !issue["repository"].is_string() ||
          !issue.contains("number") || !issue["number"].is_number_integer() || issue["number"].get<std::int64_t>() < 1)
        return std::unexpected(
            invalidArgument("issue must be {\"repository\": \"owner/name\", \"number\": N[, \"forge\": ...]} or null"));
      const std::string repository = issue["repository"].get<std::string>();
      if (repository.find('/') == std::string::npos)
        return std::unexpected(invalidArgument("issue.repository must be owner/name"));
      auto forge = optionalString(issue, "forge");
      if (!forge) return std::unexpected(invalidArgument("issue.forge must be a string"));
      if (*forge && !isKnownForge(**forge))
        return std::unexpected(invalidArgument("issue.forge must be " + std::string(core::knownForgesText())));
      in.forge = forge->value_or(std::string(core::forgeName(core::Forge::GitHub)));
      in.repository = repository;
      in.issueNumber = issue["number"].get<std::int64_t>();
    }
  }
  return in;
}

}  // namespace

http::Response PlanningApi::getItem(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/items/");
  if (!id) return http::errorResponse(core::Error::notFound("no planned item at " + request.path));
  auto item = store_.getItem(*id);
  if (!item) return http::errorResponse(item.error());
  return http::jsonResponse(200, *item);
}

http::Response PlanningApi::createItem(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  auto input = itemInput(*body, true);
  if (!input) return http::errorResponse(input.error());
  input->unlink = false;
  auto item = store_.createItem(*input, clock_.nowSeconds());
  if (!item) return http::errorResponse(item.error());
  return http::jsonResponse(201, *item);
}

http::Response PlanningApi::updateItem(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/items/");
  if (!id) return http::errorResponse(core::Error::notFound("no planned item at " + request.path));
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  auto input = itemInput(*body, false);
  if (!input) return http::errorResponse(input.error());
  auto item = store_.updateItem(*id, *input, clock_.nowSeconds());
  if (!item) return http::errorResponse(item.error());
  return http::jsonResponse(200, *item);
}

http::Response PlanningApi::deleteItem(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/items/");
  if (!id) return http::errorResponse(core::Error::notFound("no planned item at " + request.path));
  if (auto done = store_.deleteItem(*id, clock_.nowSeconds()); !done) return http::errorResponse(done.error());
  return jsonReply(json{{"deleted", *id}});
}

http::Response PlanningApi::acknowledgeIncident(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/incidents/", "/ack");
  if (!id) return http::errorResponse(core::Error::notFound("no incident at " + request.path));
  auto body = jsonBody(request, true);
  if (!body) return http::errorResponse(body.error());
  auto by = optionalString(*body, "by");
  auto note = optionalString(*body, "note");
  if (!by) return http::errorResponse(by.error());
  if (!note) return http::errorResponse(note.error());
  auto incident = store_.acknowledgeIncident(*id, by->value_or("admin"), note->value_or(""), clock_.nowSeconds());
  if (!incident) return http::errorResponse(incident.error());
  return http::jsonResponse(200, *incident);
}

}  // namespace forgehook::api
