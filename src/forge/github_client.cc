#include "forge/github_client.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"
#include "forge/github_request.h"
#include "forge/json_answers.h"
#include "forge/json_fields.h"
#include "forge/link_header.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

constexpr JsonAnswers kJson{"GitHub"};

ForgeHook hookFrom(const json& item) {
  ForgeHook hook;
  hook.id = stringField(item, "id");
  if (const auto config = item.find("config"); config != item.end() && config->is_object()) {
    hook.url = stringField(*config, "url");
    hook.contentType = stringField(*config, "content_type");
  }
  if (const auto events = item.find("events"); events != item.end() && events->is_array())
    for (const auto& event : *events)
      if (event.is_string()) hook.events.push_back(event.get<std::string>());
  if (const auto active = item.find("active"); active != item.end() && active->is_boolean())
    hook.active = active->get<bool>();
  if (const auto last = item.find("last_response"); last != item.end() && last->is_object()) {
    if (const auto code = last->find("code"); code != last->end() && code->is_number_integer())
      hook.lastResponse.code = code->get<int>();
    hook.lastResponse.status = stringField(*last, "status");
    hook.lastResponse.message = stringField(*last, "message");
  }
  return hook;
}

ForgeDelivery deliveryFrom(const json& item) {
  ForgeDelivery delivery;
  delivery.id = stringField(item, "id");
  delivery.guid = stringField(item, "guid");
  delivery.deliveredAt = timeField(item, "delivered_at");
  if (const auto r = item.find("redelivery"); r != item.end() && r->is_boolean()) delivery.redelivery = r->get<bool>();
  if (const auto c = item.find("status_code"); c != item.end() && c->is_number_integer())
    delivery.statusCode = c->get<int>();
  delivery.status = stringField(item, "status");
  delivery.event = stringField(item, "event");
  delivery.action = stringField(item, "action");
  return delivery;
}

// The body of a create or a full update: the secret always travels with the config, since a config
// without it removes the hook's secret on GitHub.
std::string hookBody(const HookSpec& spec, bool create) {
  json body{{"config", {{"url", spec.url}, {"content_type", "json"}, {"secret", spec.secret}, {"insecure_ssl", "0"}}},
            {"events", spec.events},
            {"active", true}};
  if (create) body["name"] = "web";
  return body.dump();
}

std::vector<std::string> splitScopes(const std::string& header) {
  std::vector<std::string> scopes;
  std::size_t start = 0;
  while (start <= header.size()) {
    const auto comma = header.find(',', start);
    std::string scope = header.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    scope.erase(0, scope.find_first_not_of(' '));
    scope.erase(scope.find_last_not_of(' ') + 1);
    if (!scope.empty()) scopes.push_back(std::move(scope));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return scopes;
}

bool hasAny(const std::vector<std::string>& scopes, std::initializer_list<const char*> wanted) {
  return std::ranges::any_of(wanted, [&scopes](const char* w) { return std::ranges::find(scopes, w) != scopes.end(); });
}

}  // namespace

GitHubClient::GitHubClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller,
                           std::shared_ptr<Authorizer> authorizer, std::string userAgent)
    : RestForgeClient(std::move(apiUrl), "", std::move(caller), std::move(authorizer), std::move(userAgent)) {}

HttpRequest GitHubClient::buildRequest(std::string method, std::string url, std::string jsonBody) const {
  return gitHubRequest(std::move(method), std::move(url), userAgent(), std::move(jsonBody));
}

core::Result<std::vector<ForgeHook>> GitHubClient::listHooks(const HookTarget& target) {
  const auto getPage = [&](const std::string& url) { return call(target, "GET", url); };
  return kJson.readLinkedPages(callTarget(target, "GET", "/hooks?per_page=100"), getPage, hookFrom);
}

core::Result<ForgeHook> GitHubClient::getHook(const HookTarget& target, const std::string& hookId) {
  return kJson.readObject(callTarget(target, "GET", hookPath(hookId)), hookFrom);
}

core::Result<ForgeHook> GitHubClient::createHook(const HookTarget& target, const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "POST", "/hooks", hookBody(spec, true)), hookFrom);
}

core::Result<ForgeHook> GitHubClient::updateHook(const HookTarget& target, const std::string& hookId,
                                                 const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "PATCH", hookPath(hookId), hookBody(spec, false)), hookFrom);
}

core::Result<void> GitHubClient::deleteHook(const HookTarget& target, const std::string& hookId) {
  return callTargetIgnoringBody(target, "DELETE", hookPath(hookId));
}

core::Result<void> GitHubClient::pingHook(const HookTarget& target, const std::string& hookId) {
  return callTargetIgnoringBody(target, "POST", hookPath(hookId) + "/pings");
}

core::Result<DeliveryLogPage> GitHubClient::listDeliveries(const HookTarget& target, const std::string& hookId,
                                                           const std::optional<std::string>& cursor) {
  std::string path = hookPath(hookId) + "/deliveries?per_page=100";
  if (cursor && !cursor->empty()) path.append("&cursor=").append(percentEncode(*cursor));
  auto answer = callTarget(target, "GET", path);
  if (!answer) return std::unexpected(answer.error());
  auto deliveries = kJson.readArray(*answer, deliveryFrom);
  if (!deliveries) return std::unexpected(deliveries.error());
  DeliveryLogPage page{std::move(*deliveries), std::nullopt};
  if (const auto next = nextLink(answer->header("link").value_or(""))) page.nextCursor = queryParameter(*next, "cursor");
  return page;
}

core::Result<void> GitHubClient::redeliver(const HookTarget& target, const std::string& hookId,
                                           const std::string& forgeDeliveryId) {
  return callTargetIgnoringBody(target, "POST",
                                hookPath(hookId) + "/deliveries/" + percentEncode(forgeDeliveryId) + "/attempts");
}

core::Result<EventsPage> GitHubClient::pollEvents(const HookTarget& target, const std::string& etag) {
  if (target.kind != HookTarget::Kind::Repository)
    return std::unexpected(notSupported("GitHub events are polled per repository, not per organisation"));
  HeaderList conditional;
  if (!etag.empty()) conditional.emplace_back("If-None-Match", etag);
  auto answer = callTarget(target, "GET", "/events?per_page=100", {}, std::move(conditional));
  if (!answer) return std::unexpected(answer.error());
  EventsPage page;
  page.etag = answer->header("etag").value_or(etag);
  if (const auto interval = answer->header("x-poll-interval")) {
    int seconds = 0;
    const auto [end, ec] = std::from_chars(interval->data(), interval->data() + interval->size(), seconds);
    if (ec == std::errc() && seconds > 0) page.pollIntervalSeconds = seconds;
  }
  if (answer->status == 304) {
    page.notModified = true;
    return page;
  }
  auto items = kJson.array(*answer);
  if (!items) return std::unexpected(items.error());
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    page.events.push_back({stringField(item, "id"), stringField(item, "type"), timeField(item, "created_at"), item.dump()});
  }
  return page;
}

core::Result<AccessReport> GitHubClient::checkAccess(const HookTarget& target) {
  auto report = accessReportFor(target);
  if (!report) return report;
  const bool repository = target.kind == HookTarget::Kind::Repository;
  // A refusal is a finding of the check, not its failure; a forge that cannot be reached is.
  auto probe = callTarget(target, "GET", "/hooks?per_page=1");
  if (!probe) return refusalAsFinding(probe.error(), std::move(*report));
  report->canReadHooks = true;
  if (const auto scopes = probe->header("x-oauth-scopes")) report->scopes = splitScopes(*scopes);
  const bool classic = probe->header("x-oauth-scopes").has_value();
  if (repository) {
    auto repo = callTarget(target, "GET", "");
    if (!repo) return refusalAsFinding(repo.error(), std::move(*report));
    auto item = kJson.object(*repo);
    if (!item) return std::unexpected(item.error());
    const auto permissions = item->find("permissions");
    // Installation tokens get no `permissions` here: reading hooks already showed the Webhooks permission.
    const bool admin = permissions == item->end() || !permissions->is_object() ||
                       permissions->value("admin", false);
    if (!admin) {
      report->detail = "the token's user is not an admin of " + target.path + ": managing hooks needs admin rights";
      return report;
    }
  }
  if (classic) {
    const bool canWrite = repository ? hasAny(report->scopes, {"admin:repo_hook", "write:repo_hook", "repo"})
                                     : hasAny(report->scopes, {"admin:org_hook"});
    if (!canWrite) {
      report->detail = repository ? "the classic token lacks the admin:repo_hook (or write:repo_hook) scope"
                                  : "the classic token lacks the admin:org_hook scope";
      return report;
    }
  }
  report->canManageHooks = true;
  return report;
}

}  // namespace forgehook::forge
