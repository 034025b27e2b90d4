#include "forge/polled_event.h"

#include <nlohmann/json.hpp>

#include "store/body_codec.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

struct TypeName {
  const char* eventsApi;
  const char* webhook;
};
// GitHub's "GitHub event types" page names each Events API type after its webhook event.
constexpr TypeName kTypes[] = {
    {"PushEvent", "push"},
    {"PullRequestEvent", "pull_request"},
    {"PullRequestReviewEvent", "pull_request_review"},
    {"PullRequestReviewCommentEvent", "pull_request_review_comment"},
    {"IssuesEvent", "issues"},
    {"IssueCommentEvent", "issue_comment"},
    {"CommitCommentEvent", "commit_comment"},
    {"CreateEvent", "create"},
    {"DeleteEvent", "delete"},
    {"ReleaseEvent", "release"},
    {"ForkEvent", "fork"},
    {"WatchEvent", "watch"},
    {"MemberEvent", "member"},
    {"PublicEvent", "public"},
    {"GollumEvent", "gollum"},
};

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<std::string> webhookEventOf(const std::string& eventsApiType) {
  for (const auto& t : kTypes)
    if (eventsApiType == t.eventsApi) return std::string(t.webhook);
  return std::nullopt;
}

bool newerEventId(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() > b.size();
  return a > b;
}

core::Result<std::optional<store::NewDelivery>> deliveryFromEvent(const PolledEvent& event, int compressionLevel,
                                                                 std::int64_t receivedAtMicros) {
  const auto webhookEvent = webhookEventOf(event.type);
  if (!webhookEvent) return std::optional<store::NewDelivery>{};
  json parsed = json::parse(event.json, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("payload") || !parsed["payload"].is_object())
    return std::unexpected(core::Error::invalidArgument("malformed_event", "event " + event.id + " has no payload"));
  json body = parsed["payload"];
  const json repo = parsed.value("repo", json::object());
  const std::string fullName = text(repo, "name");
  const auto slash = fullName.find('/');
  json repository = {{"id", repo.value("id", json())},
                     {"name", slash == std::string::npos ? fullName : fullName.substr(slash + 1)},
                     {"full_name", fullName},
                     {"owner", {{"login", fullName.substr(0, slash)}}}};
  if (!body.contains("repository")) body["repository"] = std::move(repository);
  const json actor = parsed.value("actor", json::object());
  if (!body.contains("sender"))
    body["sender"] = {{"login", text(actor, "login")}, {"id", actor.value("id", json())}, {"type", "User"}};
  if (parsed.contains("org") && !body.contains("organization")) body["organization"] = parsed["org"];
  // A PushEvent names the new head `head`; the push webhook calls it `after`.
  if (*webhookEvent == "push" && !body.contains("after") && body.contains("head")) body["after"] = body["head"];

  store::NewDelivery d;
  d.forge = "github";
  d.hookId = kPolledHookId;
  d.deliveryId = "event-" + event.id;
  d.event = *webhookEvent;
  d.action = text(body, "action");
  d.repository = fullName;
  d.sender = text(actor, "login");
  d.contentType = "application/json";
  d.verification = "events-api";
  d.headersJson = json({{"x-github-event", *webhookEvent}, {"x-forgehook-source", "poll"},
                        {"x-github-event-id", event.id}})
                      .dump();
  d.receivedAt = receivedAtMicros;
  const std::string raw = body.dump();
  d.bodySize = static_cast<std::int64_t>(raw.size());
  auto encoded = store::encodeBody(raw, compressionLevel);
  d.body = std::move(encoded.bytes);
  d.bodyEncoding = std::move(encoded.encoding);
  d.source = "poll";
  return std::optional<store::NewDelivery>(std::move(d));
}

}  // namespace forgehook::forge
