#include "api/model_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

// The id in /api/v1/<collection>/<id>[/<suffix>].
std::optional<std::int64_t> pathId(const http::Request& request, std::string_view prefix,
                                   std::string_view suffix = "") {
  std::string_view rest = request.path;
  if (!rest.starts_with(prefix)) return std::nullopt;
  rest.remove_prefix(prefix.size());
  if (!suffix.empty()) {
    if (!rest.ends_with(suffix)) return std::nullopt;
    rest.remove_suffix(suffix.size());
  }
  auto id = parseInteger(rest);
  if (!id || *id < 1) return std::nullopt;
  return id;
}

core::Result<json> jsonBody(const http::Request& request, bool emptyAllowed) {
  if (request.body.empty() && emptyAllowed) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return std::unexpected(core::Error::invalidArgument("malformed_json", "request body must be a JSON object"));
  return body;
}

// A string member, or nothing; an error when present with another type.
core::Result<std::optional<std::string>> optionalString(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<std::string>{};
  if (!body[name].is_string()) return std::unexpected(invalidArgument(std::string(name) + " must be a string"));
  return std::optional<std::string>(body[name].get<std::string>());
}

const std::set<std::string> kItemStatuses = {"planned", "in_progress", "completed", "not_planned", "blocked"};

core::Result<store::ItemInput> itemInput(const json& body, bool creating) {
  store::ItemInput in;
  for (auto [name, slot] : {std::pair{"title", &in.title}, std::pair{"description", &in.description},
                            std::pair{"owner", &in.owner}, std::pair{"status", &in.status}}) {
    auto v = optionalString(body, name);
    if (!v) return std::unexpected(v.error());
    *slot = *v;
  }
  for (const auto& [key, value] : body.items()) {
    static const std::set<std::string> known = {"title", "description", "owner", "status", "tags", "due_on", "issue"};
    if (!known.contains(key)) return std::unexpected(invalidArgument("unknown field \"" + key + "\""));
  }
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
        return std::unexpected(invalidArgument("issue.forge must be github, gitlab or gitea"));
      in.forge = forge->value_or("github");
      in.repository = repository;
      in.issueNumber = issue["number"].get<std::int64_t>();
    }
  }
  return in;
}

}  // namespace

http::Response ModelApi::list(const http::Request& request, const std::string& resource) const {
  auto query = resourceQueryFrom(request, resource, clock_.nowSeconds());
  if (!query) return http::errorResponse(query.error());
  auto page = store_.listResource(*query);
  if (!page) return http::errorResponse(page.error());
  // Items are JSON already (built by the store); splice them instead of parsing and re-dumping.
  std::string body = "{\"" + resource + "\":[";
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    body += page->items[i];
  }
  body += "],\"next_cursor\":";
  if (page->nextCursor) {
    body += '"';
    body += std::to_string(*page->nextCursor);
    body += '"';
  } else {
    body += "null";
  }
  body += '}';
  return http::jsonResponse(200, std::move(body));
}

http::Response ModelApi::getItem(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/items/");
  if (!id) return http::errorResponse(core::Error::notFound("no planned item at " + request.path));
  auto item = store_.getItem(*id);
  if (!item) return http::errorResponse(item.error());
  return http::jsonResponse(200, *item);
}

http::Response ModelApi::createItem(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  auto input = itemInput(*body, true);
  if (!input) return http::errorResponse(input.error());
  input->unlink = false;
  auto item = store_.createItem(*input, clock_.nowSeconds());
  if (!item) return http::errorResponse(item.error());
  return http::jsonResponse(201, *item);
}

http::Response ModelApi::updateItem(const http::Request& request) const {
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

http::Response ModelApi::deleteItem(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/items/");
  if (!id) return http::errorResponse(core::Error::notFound("no planned item at " + request.path));
  if (auto done = store_.deleteItem(*id); !done) return http::errorResponse(done.error());
  return jsonReply(json{{"deleted", *id}});
}

http::Response ModelApi::acknowledgeIncident(const http::Request& request) const {
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

http::Response ModelApi::replayOne(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/deliveries/", "/replay");
  if (!id) return http::errorResponse(core::Error::notFound("no delivery at " + request.path));
  store::DeliveryFilter filter;
  filter.id = id;
  auto n = store_.requeue(filter);
  if (!n) return http::errorResponse(n.error());
  if (*n == 0) return http::errorResponse(core::Error::notFound("no delivery with id " + std::to_string(*id)));
  wakePipeline_();
  return jsonReply(json{{"requeued", *n}}, 202);
}

http::Response ModelApi::replay(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  store::DeliveryFilter filter;
  bool any = false;
  for (const auto& [key, value] : body->items()) {
    if (key == "all") {
      if (!value.is_boolean() || !value.get<bool>())
        return http::errorResponse(invalidArgument("all must be true when given"));
      any = true;
      continue;
    }
    if (!value.is_string()) return http::errorResponse(invalidArgument(key + " must be a string"));
    const auto text = value.get<std::string>();
    if (key == "forge") {
      if (!isKnownForge(text)) return http::errorResponse(invalidArgument("forge must be github, gitlab or gitea"));
      filter.forge = text;
    } else if (key == "event")
      filter.event = text;
    else if (key == "repository")
      filter.repository = text;
    else if (key == "status")
      filter.status = text;
    else if (key == "since" || key == "until") {
      auto micros = core::parseTimestamp(text);
      if (!micros) return http::errorResponse(invalidArgument(key + " must be RFC 3339 or Unix seconds"));
      (key == "since" ? filter.sinceMicros : filter.untilMicros) = micros;
    } else {
      return http::errorResponse(invalidArgument("unknown field \"" + key + "\""));
    }
    any = true;
  }
  // Replaying everything by accident would redo the whole log: ask for it by name.
  if (!any)
    return http::errorResponse(
        invalidArgument("give at least one filter (forge, event, repository, status, since, until) or \"all\": true"));
  if (filter.status && *filter.status != "queued" && *filter.status != "retrying" && *filter.status != "processed" &&
      *filter.status != "dead")
    return http::errorResponse(invalidArgument("status must be queued, retrying, processed or dead"));
  auto n = store_.requeue(filter);
  if (!n) return http::errorResponse(n.error());
  wakePipeline_();
  return jsonReply(json{{"requeued", *n}}, 202);
}

http::Response ModelApi::rebuild(const http::Request&) const {
  auto n = store_.rebuildProjections();
  if (!n) return http::errorResponse(n.error());
  wakePipeline_();
  return jsonReply(json{{"requeued", *n}}, 202);
}

}  // namespace forgehook::api
