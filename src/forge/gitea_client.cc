#include "forge/gitea_client.h"

#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"
#include "forge/json_fields.h"
#include "forge/link_header.h"
#include "forge/target_path.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

constexpr int kMaxPages = 100;

core::Result<json> parseBody(const HttpResponse& answer, bool (json::*shape)() const noexcept) {
  auto parsed = json::parse(answer.body, nullptr, false);
  if (parsed.is_discarded() || !(parsed.*shape)())
    return std::unexpected(forgeUnavailable("Gitea answered with a body that is not the expected JSON"));
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
  hook.active = boolField(item, "active", false);
  return hook;
}

// Gitea's `active` defaults to false, so it is always sent.
std::string hookBody(const HookSpec& spec, bool create) {
  json body{{"config", {{"url", spec.url}, {"content_type", "json"}, {"secret", spec.secret}}},
            {"events", spec.events},
            {"active", true}};
  if (create) body["type"] = "gitea";
  return body.dump();
}

}  // namespace

GiteaClient::GiteaClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller, std::shared_ptr<Authorizer> authorizer,
                         std::string userAgent)
    : apiUrl_(std::move(apiUrl)), caller_(std::move(caller)), authorizer_(std::move(authorizer)),
      userAgent_(std::move(userAgent)) {
  while (!apiUrl_.empty() && apiUrl_.back() == '/') apiUrl_.pop_back();
  if (!apiUrl_.ends_with("/api/v1")) apiUrl_.append("/api/v1");
}

core::Result<std::string> GiteaClient::targetUrl(const HookTarget& target) const {
  const bool repository = target.kind == HookTarget::Kind::Repository;
  auto path = encodedSegments(target, repository ? 2 : 1);
  if (!path) return std::unexpected(path.error());
  std::string url = apiUrl_;
  url.append(repository ? "/repos/" : "/orgs/").append(*path);
  return url;
}

core::Result<HttpResponse> GiteaClient::call(const HookTarget& target, std::string method, std::string url,
                                             std::string jsonBody) {
  HttpRequest request{std::move(method), std::move(url), {{"Accept", "application/json"}, {"User-Agent", userAgent_}},
                      std::move(jsonBody)};
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return caller_->sendAs(*authorizer_, target, std::move(request));
}

core::Result<std::vector<ForgeHook>> GiteaClient::listHooks(const HookTarget& target) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  std::vector<ForgeHook> hooks;
  std::string url = *base + "/hooks?limit=50";
  for (int page = 0; page < kMaxPages; ++page) {
    auto answer = call(target, "GET", url);
    if (!answer) return std::unexpected(answer.error());
    auto items = parseBody(*answer, &json::is_array);
    if (!items) return std::unexpected(items.error());
    for (const auto& item : *items)
      if (item.is_object()) hooks.push_back(hookFrom(item));
    const auto next = nextLink(answer->header("link").value_or(""));
    if (!next || items->empty()) return hooks;
    url = *next;
  }
  return hooks;
}

core::Result<ForgeHook> GiteaClient::getHook(const HookTarget& target, const std::string& hookId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "GET", *base + "/hooks/" + percentEncode(hookId));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<ForgeHook> GiteaClient::createHook(const HookTarget& target, const HookSpec& spec) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "POST", *base + "/hooks", hookBody(spec, true));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<ForgeHook> GiteaClient::updateHook(const HookTarget& target, const std::string& hookId,
                                                const HookSpec& spec) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "PATCH", *base + "/hooks/" + percentEncode(hookId), hookBody(spec, false));
  if (!answer) return std::unexpected(answer.error());
  auto item = parseBody(*answer, &json::is_object);
  if (!item) return std::unexpected(item.error());
  return hookFrom(*item);
}

core::Result<void> GiteaClient::deleteHook(const HookTarget& target, const std::string& hookId) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "DELETE", *base + "/hooks/" + percentEncode(hookId));
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<void> GiteaClient::pingHook(const HookTarget& target, const std::string& hookId) {
  if (target.kind != HookTarget::Kind::Repository)
    return std::unexpected(notSupported("Gitea tests repository hooks only, not organisation hooks"));
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto answer = call(target, "POST", *base + "/hooks/" + percentEncode(hookId) + "/tests");
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<AccessReport> GiteaClient::checkAccess(const HookTarget& target) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto who = authorizer_->authorize(target);
  if (!who) return std::unexpected(who.error());
  AccessReport report;
  report.credential = who->label;
  // Gitea lets only repository (organisation) admins list hooks: reading them shows the right to manage them.
  auto probe = call(target, "GET", *base + "/hooks?limit=1");
  if (!probe) {
    if (probe.error().code != core::Code::NotFound && probe.error().code != core::Code::Forbidden)
      return std::unexpected(probe.error());
    report.detail = probe.error().message;
    return report;
  }
  report.canReadHooks = true;
  report.canManageHooks = true;
  return report;
}

core::Result<DeliveryLogPage> GiteaClient::listDeliveries(const HookTarget&, const std::string&,
                                                          const std::optional<std::string>&) {
  return std::unexpected(notSupported("Gitea has no API for a hook's delivery log"));
}

core::Result<void> GiteaClient::redeliver(const HookTarget&, const std::string&, const std::string&) {
  return std::unexpected(notSupported("Gitea has no API to redeliver a hook delivery"));
}

core::Result<EventsPage> GiteaClient::pollEvents(const HookTarget&, const std::string&) {
  return std::unexpected(notSupported("polling Gitea events is not supported"));
}

}  // namespace forgehook::forge
