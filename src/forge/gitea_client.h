#pragma once
// ForgeClient for Gitea and Forgejo (REST API v1): repository and organisation hooks and the
// test delivery. Gitea keeps no delivery log reachable through the API and has no events
// feed for polling: those are not_supported. Thread-safe.
#include <memory>
#include <string>

#include "forge/rest_forge_client.h"

namespace forgehook::forge {

class GiteaClient final : public RestForgeClient {
 public:
  // `apiUrl`: "https://gitea.example" or "https://gitea.example/api/v1" (the suffix is added when
  // missing). Requires: `caller` and `authorizer` non-null.
  GiteaClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller, std::shared_ptr<Authorizer> authorizer,
               std::string userAgent);

  [[nodiscard]] core::Forge forge() const override { return core::Forge::Gitea; }
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
};

}  // namespace forgehook::forge
