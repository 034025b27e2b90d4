#pragma once
// ForgeClient for GitLab (REST API v4): project hooks and group hooks, their event log (17.3+) and
// resends (17.4+). Events are GitLab's boolean hook fields ("push_events", "merge_requests_events");
// the hook secret is GitLab's `token`. Polling is not supported. Thread-safe.
#include <memory>
#include <string>

#include "forge/rest_forge_client.h"

namespace forgehook::forge {

class GitLabClient final : public RestForgeClient {
 public:
  // `apiUrl`: "https://gitlab.example" or "https://gitlab.example/api/v4" (the suffix is added when
  // missing). Requires: `caller` and `authorizer` non-null.
  GitLabClient(std::string apiUrl, std::shared_ptr<ApiCaller> caller, std::shared_ptr<Authorizer> authorizer,
               std::string userAgent);

  [[nodiscard]] core::Forge forge() const override { return core::Forge::GitLab; }
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
  // ".../api/v4/projects/group%2Fproject" or ".../api/v4/groups/group%2Fsub".
  [[nodiscard]] core::Result<std::string> targetUrl(const HookTarget& target) const override;
};

}  // namespace forgehook::forge
