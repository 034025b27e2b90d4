#include "forge/gitea_client.h"

#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"
#include "forge/json_answers.h"
#include "forge/json_fields.h"
#include "forge/link_header.h"

namespace forgehook::forge {
namespace {

using nlohmann::json;

constexpr JsonAnswers kJson{"Gitea"};

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
    : RestForgeClient(std::move(apiUrl), "/api/v1", std::move(caller), std::move(authorizer), std::move(userAgent)) {}

core::Result<std::vector<ForgeHook>> GiteaClient::listHooks(const HookTarget& target) {
  const auto getPage = [&](const std::string& url) { return call(target, "GET", url); };
  return kJson.readLinkedPages(callTarget(target, "GET", "/hooks?limit=50"), getPage, hookFrom, /*emptyPageEnds=*/true);
}

core::Result<ForgeHook> GiteaClient::getHook(const HookTarget& target, const std::string& hookId) {
  return kJson.readObject(callTarget(target, "GET", hookPath(hookId)), hookFrom);
}

core::Result<ForgeHook> GiteaClient::createHook(const HookTarget& target, const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "POST", "/hooks", hookBody(spec, true)), hookFrom);
}

core::Result<ForgeHook> GiteaClient::updateHook(const HookTarget& target, const std::string& hookId,
                                                const HookSpec& spec) {
  return kJson.readObject(callTarget(target, "PATCH", hookPath(hookId), hookBody(spec, false)), hookFrom);
}

core::Result<void> GiteaClient::deleteHook(const HookTarget& target, const std::string& hookId) {
  return callTargetIgnoringBody(target, "DELETE", hookPath(hookId));
}

core::Result<void> GiteaClient::pingHook(const HookTarget& target, const std::string& hookId) {
  if (target.kind != HookTarget::Kind::Repository)
    return std::unexpected(notSupported("Gitea tests repository hooks only, not organisation hooks"));
  return callTargetIgnoringBody(target, "POST", hookPath(hookId) + "/tests");
}

core::Result<AccessReport> GiteaClient::checkAccess(const HookTarget& target) {
  // Gitea lets only repository (organisation) admins list hooks: reading them shows the right to manage them.
  return checkAccessByListingHooks(target, "/hooks?limit=1");
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
