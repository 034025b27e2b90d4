#pragma once
// ForgeClient for GitHub and GitHub Enterprise Server over the REST API (version 2022-11-28):
// repository and organisation hooks, the hook delivery log, redeliveries, the events API for
// polling and an access check. Thread-safe: state lives in the authorizer and the budgets.
#include <memory>
#include <string>

#include "forge/rest_forge_client.h"

namespace forgehook::forge {

class GitHubClient final : public RestForgeClient {
 public:
  // `apiUrl`: "https://api.github.com" or "https://ghe.example/api/v3" (a trailing slash is dropped).
  // Requires: `caller` and `authorizer` non-null.
  GitHubClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller, std::shared_ptr<Authorizer> authorizer,
               std::string userAgent);

  [[nodiscard]] core::Forge forge() const override { return core::Forge::GitHub; }
  [[nodiscard]] core::Result<std::vector<ForgeHook>> listHooks(const HookTarget& target) override;
  [[nodiscard]] core::Result<ForgeHook> getHook(const HookTarget& target, const std::string& hookId) override;
  [[nodiscard]] core::Result<ForgeHook> createHook(const HookTarget& target, const HookSpec& spec) override;
  [[nodiscard]] core::Result<ForgeHook> updateHook(const HookTarget& target, const std::string& hookId,
                                                   const HookSpec& spec) override;
  [[nodiscard]] core::Result<void> deleteHook(const HookTarget& target, const std::string& hookId) override;
  [[nodiscard]] core::Result<void> pingHook(const HookTarget& target, const std::string& hookId) override;
  [[nodiscard]] core::Result<AccessReport> checkAccess(const HookTarget& target) override;
  [[nodiscard]] core::Result<DeliveryLogPage> listDeliveries(const HookTarget& target, const std::string& hookId,
                                                             const std::optional<std::string>& cursor) override;
  [[nodiscard]] core::Result<void> redeliver(const HookTarget& target, const std::string& hookId,
                                             const std::string& forgeDeliveryId) override;
  [[nodiscard]] core::Result<EventsPage> pollEvents(const HookTarget& target, const std::string& etag) override;

 private:
  // With GitHub's media type and API version (github_request.h).
  [[nodiscard]] HttpRequest buildRequest(std::string method, std::string url, std::string jsonBody) const override;
};

}  // namespace forgehook::forge
