#include "forge/gitlab_client.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"
#include "forge/json_answers.h"
#include "forge/json_fields.h"
#include "forge/link_header.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

constexpr JsonAnswers kJson{"GitLab"};

// GitLab's hook event switches: a hook's events are the ones set to true.
constexpr std::array<const char*, 14> kEventFields{
    "push_events",          "tag_push_events",          "issues_events",        "confidential_issues_events",
    "merge_requests_events", "note_events",             "confidential_note_events", "job_events",
    "pipeline_events",      "wiki_page_events",         "deployment_events",    "releases_events",
    "feature_flag_events",  "emoji_events"};

ForgeHook hookFrom(const json& item) {
  ForgeHook hook;
  hook.id = stringField(item, "id");
  hook.url = stringField(item, "url");
  for (const char* field : kEventFields)
    if (boolField(item, field, false)) hook.events.emplace_back(field);
  // GitLab disables failing hooks ("temporarily_disabled", "disabled") rather than deactivating them.
  const std::string alert = stringField(item, "alert_status");
  hook.active = alert.empty() || alert == "executable";
  hook.lastResponse.status = alert;
  return hook;
}

// Every known switch is sent, so an update turns off the events no longer wanted.
std::string hookBody(const HookSpec& spec) {
  json body{{"url", spec.url}, {"token", spec.secret}, {"enable_ssl_verification", true}};
  for (const char* field : kEventFields) body[field] = false;
  for (const auto& event : spec.events) body[event] = true;
  return body.dump();
}

ForgeDelivery deliveryFrom(const json& item) {
  ForgeDelivery delivery;
  delivery.id = stringField(item, "id");
  delivery.deliveredAt = timeField(item, "created_at");
  delivery.event = stringField(item, "trigger");
  if (const auto headers = item.find("request_headers"); headers != item.end() && headers->is_object()) {
    // Idempotency-Key (17.4+) is stable across resends; older servers only have the event UUID.
    delivery.guid = stringField(*headers, "Idempotency-Key");
    if (delivery.guid.empty()) delivery.guid = stringField(*headers, "X-Gitlab-Event-UUID");
    if (delivery.event.empty()) delivery.event = stringField(*headers, "X-Gitlab-Event");
  }
  const std::string status = stringField(item, "response_status");
  // "internal error" and the like leave 0: the forge got no HTTP answer.
  (void)std::from_chars(status.data(), status.data() + status.size(), delivery.statusCode);
  delivery.status = delivery.statusCode >= 200 && delivery.statusCode < 300 ? "OK" : status;
  return delivery;
}

// GitLab answers 404 for routes it does not have; for the event log that means an older server.
core::Error unsupportedOr(const core::Error& error, const char* what) {
  if (error.code != core::Code::NotFound) return error;
  std::string message = "this GitLab server has no ";
  message.append(what).append(" API (GitLab 17.3+ lists hook events, 17.4+ resends them), or the hook is gone");
  return notSupported(std::move(message));
}

}  // namespace

GitLabClient::GitLabClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller,
                           std::shared_ptr<Authorizer> authorizer, std::string userAgent)
    : RestForgeClient(std::move(apiUrl), "/api/v4", std::move(caller), std::move(authorizer), std::move(userAgent)) {}

core::Result<std::string> GitLabClient::targetUrl(const HookTarget& target) const {
  const std::string& path = target.path;
  if (path.empty() || path.front() == '/' || path.back() == '/' || path.find("//") != std::string::npos ||
      path.find("..") != std::string::npos)
    return std::unexpected(
        core::Error::invalidArgument("invalid_target", "\"" + path + "\" is not a GitLab project or group path"));
  std::string url = apiUrl();
  url.append(target.kind == HookTarget::Kind::Repository ? "/projects/" : "/groups/").append(percentEncode(path));
  return url;
}

core::Result<std::vector<ForgeHook>> GitLabClient::listHooks(const HookTarget& target) {
  const auto getPage = [&](const std::string& url) { return call(target, "GET", url); };
  return kJson.readLinkedPages(callTarget(target, "GET", "/hooks?per_page=100"), getPage, hookFrom);
}

core::Result<ForgeHook> GitLabClient::getHook(const HookTarget& target, const std::string& hookId) {
  return kJson.readObject(callTarget(target, "GET", hookPath(hookId)), hookFrom);
}

core::Result<ForgeHook> GitLabClient::createHook(const HookTarget& target, const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "POST", "/hooks", hookBody(spec)), hookFrom);
}

core::Result<ForgeHook> GitLabClient::updateHook(const HookTarget& target, const std::string& hookId,
                                                 const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "PUT", hookPath(hookId), hookBody(spec)), hookFrom);
}

core::Result<void> GitLabClient::deleteHook(const HookTarget& target, const std::string& hookId) {
  return callTargetIgnoringBody(target, "DELETE", hookPath(hookId));
}

core::Result<void> GitLabClient::pingHook(const HookTarget& target, const std::string& hookId) {
  return callTargetIgnoringBody(target, "POST", hookPath(hookId) + "/test/push_events");
}

core::Result<AccessReport> GitLabClient::checkAccess(const HookTarget& target) {
  // Listing hooks already needs the Maintainer role (Owner for groups): the same right as managing them.
  return checkAccessByListingHooks(target, "/hooks?per_page=1");
}

core::Result<DeliveryLogPage> GitLabClient::listDeliveries(const HookTarget& target, const std::string& hookId,
                                                           const std::optional<std::string>& cursor) {
  std::string path = hookPath(hookId) + "/events?per_page=100";
  // GitLab pages by number: the cursor is the next page's number.
  if (cursor && !cursor->empty()) path.append("&page=").append(percentEncode(*cursor));
  auto answer = callTarget(target, "GET", path);
  if (!answer) return std::unexpected(unsupportedOr(answer.error(), "hook events"));
  auto deliveries = kJson.readArray(*answer, deliveryFrom);
  if (!deliveries) return std::unexpected(deliveries.error());
  DeliveryLogPage page{std::move(*deliveries), std::nullopt};
  if (const auto next = answer->header("x-next-page"); next && !next->empty())
    page.nextCursor = *next;
  else if (const auto link = nextLink(answer->header("link").value_or("")))
    page.nextCursor = queryParameter(*link, "page");
  return page;
}

core::Result<void> GitLabClient::redeliver(const HookTarget& target, const std::string& hookId,
                                           const std::string& forgeDeliveryId) {
  auto resent = callTargetIgnoringBody(target, "POST",
                                       hookPath(hookId) + "/events/" + percentEncode(forgeDeliveryId) + "/resend");
  if (!resent) return std::unexpected(unsupportedOr(resent.error(), "hook event resend"));
  return {};
}

core::Result<EventsPage> GitLabClient::pollEvents(const HookTarget&, const std::string&) {
  return std::unexpected(notSupported("polling GitLab events is not supported yet"));
}

}  // namespace forgehook::forge
