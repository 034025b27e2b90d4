#pragma once
// Authorises requests as a GitHub App installation: signs a JWT with the App's key, finds the
// installation that covers a target, and mints installation access tokens, cached per installation
// until 5 minutes before they expire. Each installation has its own rate budget. Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/time.h"
#include "forge/api_caller.h"
#include "forge/authorizer.h"
#include "forge/rate_budget_registry.h"

namespace forgehook::forge {

struct GitHubAppCredential {
  std::string apiUrl;  // "https://api.github.com" or "https://ghe.example/api/v3", no trailing slash
  std::string appId;
  std::string privateKeyPem;
};

class GitHubAppAuthorizer final : public Authorizer {
 public:
  // Requires: `caller` and `budgets` non-null; `clock` outlives this.
  GitHubAppAuthorizer(GitHubAppCredential credential, std::shared_ptr<ApiCaller> caller,
                      std::shared_ptr<RateBudgetRegistry> budgets, const core::Clock& clock, std::string userAgent);

  // Errors: InvalidArgument "invalid_app_key"; NotFound "forge_not_found" when the App is not
  // installed on the target; the errors of the token request.
  [[nodiscard]] core::Result<Authorization> authorize(const HookTarget& target) override;
  // Drops the cached token of the target's installation (it was refused).
  void invalidate(const HookTarget& target) override;
  [[nodiscard]] std::vector<RateBudgetView> budgets() const override;

 private:
  struct CachedToken {
    std::string token;
    std::int64_t expiresAt = 0;  // Unix seconds
  };

  [[nodiscard]] core::Result<std::string> installationFor(const HookTarget& target);
  [[nodiscard]] core::Result<CachedToken> mintToken(const std::string& installationId);
  [[nodiscard]] std::shared_ptr<RateBudget> installationBudget(const std::string& installationId);

  GitHubAppCredential credential_;
  std::shared_ptr<ApiCaller> caller_;
  std::shared_ptr<RateBudgetRegistry> registry_;
  const core::Clock& clock_;
  std::string userAgent_;
  std::shared_ptr<RateBudget> appBudget_;  // the JWT's own budget

  mutable std::mutex mutex_;
  std::map<std::string, std::string> installations_;  // target key -> installation id
  std::map<std::string, CachedToken> tokens_;         // installation id -> token
  std::map<std::string, std::shared_ptr<RateBudget>> installationBudgets_;
};

}  // namespace forgehook::forge
