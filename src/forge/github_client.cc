#include "forge/github_client.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"
#include "forge/github_request.h"
#include "forge/json_fields.h"
#include "forge/link_header.h"
#include "forge/target_path.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

// Following `next` links stops here: 100 pages of 100 hooks is far past GitHub's 20-per-event cap.
constexpr int kMaxPages = 100;

core::Result<json> parseBody(const HttpResponse& answer, bool (json::*shape)() const noexcept) {
  auto parsed = json::parse(answer.body, nullptr, false);
  if (parsed.is_discarded() || !(parsed.*shape)())
    return std::unexpected(forgeUnavailable("GitHub answered with a body that is not the expected JSON"));
  return parsed;
}

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
    : apiUrl_(std::move(apiUrl)), caller_(std::move(caller)), authorizer_(std::move(authorizer)),
      userAgent_(std::move(userAgent)) {
  while (!apiUrl_.empty() && apiUrl_.back() == '/') apiUrl_.pop_back();
}

core::Result<std::string> GitHubClient::targetUrl(const HookTarget& target) const {
  const bool repository = target.kind == HookTarget::Kind::Repository;
  auto path = encodedSegments(target, repository ? 2 : 1);
  if (!path) return std::unexpected(path.error());
  std::string url = apiUrl_;
  url.append(repository ? "/repos/" : "/orgs/").append(*path);
  return url;
}

core::Result<HttpResponse> GitHubClient::call(const HookTarget& target, std::string method, std::string url,
                                              std::string jsonBody, HeaderList extraHeaders) {
  auto request = gitHubRequest(std::move(method), std::move(url), userAgent_, std::move(jsonBody));
  request.headers.insert(request.headers.end(), extraHeaders.begin(), extraHeaders.end());
  return caller_->sendAs(*authorizer_, target, std::move(request));
}

core::Result<std::vector<ForgeHook>> GitHubClient::listHooks(const HookTarget& target) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  std::vector<ForgeHook> hooks;
  std::string url = *base + "/hooks?per_page=100";
  for (int page = 0; page < kMaxPages; ++page) {
    auto answer = call(target, "GET", url);
    if (!answer) return std::unexpected(answer.error());
    auto items = parseBody(*answer, &json::is_array);
    if (!items) return std::unexpected(items.error());
    for (const auto& item : *items)
      if (item.is_object()) hooks.push_back(hookFrom(item));
    const auto next = nextLink(answer->header("link").value_or(""));
    if (!next) return hooks;
    url = *next;
  }
  return hooks;
}

core::Result<ForgeHook> GitHubClient::getHook(const HookTarget& target, const std::string& hookId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "GET", *base + "/hooks/" + percentEncode(hookId));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<ForgeHook> GitHubClient::createHook(const HookTarget& target, const HookSpec& spec) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "POST", *base + "/hooks", hookBody(spec, true));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<ForgeHook> GitHubClient::updateHook(const HookTarget& target, const std::string& hookId,
                                                 const HookSpec& spec) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "PATCH", *base + "/hooks/" + percentEncode(hookId), hookBody(spec, false));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<void> GitHubClient::deleteHook(const HookTarget& target, const std::string& hookId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "DELETE", *base + "/hooks/" + percentEncode(hookId));
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<void> GitHubClient::pingHook(const HookTarget& target, const std::string& hookId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "POST", *base + "/hooks/" + percentEncode(hookId) + "/pings");
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<DeliveryLogPage> GitHubClient::listDeliveries(const HookTarget& target, const std::string& hookId,
                                                           const std::optional<std::string>& cursor) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  std::string url = *base;
  url.append("/hooks/").append(percentEncode(hookId)).append("/deliveries?per_page=100");
  if (cursor && !cursor->empty()) url.append("&cursor=").append(percentEncode(*cursor));
  auto answer = call(target, "GET", url);
  if (!answer) return std::unexpected(answer.error());
  auto items = parseBody(*answer, &json::is_array);
  if (!items) return std::unexpected(items.error());
  DeliveryLogPage page;
  for (const auto& item : *items)
    if (item.is_object()) page.deliveries.push_back(deliveryFrom(item));
  if (const auto next = nextLink(answer->header("link").value_or(""))) page.nextCursor = queryParameter(*next, "cursor");
  return page;
}

core::Result<void> GitHubClient::redeliver(const HookTarget& target, const std::string& hookId,
                                           const std::string& forgeDeliveryId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  std::string url = *base;
  url.append("/hooks/").append(percentEncode(hookId));
  url.append("/deliveries/").append(percentEncode(forgeDeliveryId)).append("/attempts");
  auto answer = call(target, "POST", url);
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<EventsPage> GitHubClient::pollEvents(const HookTarget& target, const std::string& etag) {
  if (target.kind != HookTarget::Kind::Repository)
    return std::unexpected(notSupported("GitHub events are polled per repository, not per organisation"));
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  HeaderList conditional;
  if (!etag.empty()) conditional.emplace_back("If-None-Match", etag);
  auto answer = call(target, "GET", *base + "/events?per_page=100", {}, std::move(conditional));
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
  auto items = parseBody(*answer, &json::is_array);
  if (!items) return std::unexpected(items.error());
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    page.events.push_back({stringField(item, "id"), stringField(item, "type"), timeField(item, "created_at"), item.dump()});
  }
  return page;
}

core::Result<AccessReport> GitHubClient::checkAccess(const HookTarget& target) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  AccessReport report;
  auto who = authorizer_->authorize(target);
  if (!who) return std::unexpected(who.error());
  report.credential = who->label;
  const bool repository = target.kind == HookTarget::Kind::Repository;
  // A refusal is a finding of the check, not its failure; a forge that cannot be reached is.
  const auto finding = [&report](const core::Error& error) -> core::Result<AccessReport> {
    if (error.code != core::Code::NotFound && error.code != core::Code::Forbidden) return std::unexpected(error);
    report.detail = error.message;
    return report;
  };
  auto probe = call(target, "GET", *base + "/hooks?per_page=1");
  if (!probe) return finding(probe.error());
  report.canReadHooks = true;
  if (const auto scopes = probe->header("x-oauth-scopes")) report.scopes = splitScopes(*scopes);
  const bool classic = probe->header("x-oauth-scopes").has_value();
  if (repository) {
    auto repo = call(target, "GET", *base);
    if (!repo) return finding(repo.error());
    auto item = parseBody(*repo, &json::is_object);
    if (!item) return std::unexpected(item.error());
    const auto permissions = item->find("permissions");
    // Installation tokens get no `permissions` here: reading hooks already showed the Webhooks permission.
    const bool admin = permissions == item->end() || !permissions->is_object() ||
                       permissions->value("admin", false);
    if (!admin) {
      report.detail = "the token's user is not an admin of " + target.path + ": managing hooks needs admin rights";
      return report;
    }
  }
  if (classic) {
    const bool canWrite = repository ? hasAny(report.scopes, {"admin:repo_hook", "write:repo_hook", "repo"})
                                     : hasAny(report.scopes, {"admin:org_hook"});
    if (!canWrite) {
      report.detail = repository ? "the classic token lacks the admin:repo_hook (or write:repo_hook) scope"
                                 : "the classic token lacks the admin:org_hook scope";
      return report;
    }
  }
  report.canManageHooks = true;
  return report;
}

}  // namespace forgehook::forge
