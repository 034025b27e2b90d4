#include "forge/client_factory.h"

#include "core/digest.h"
#include "forge/api_caller.h"
#include "forge/app_jwt.h"
#include "forge/token_authorizer.h"
#include "forge/gitea_client.h"
#include "forge/github_app.h"
#include "forge/github_client.h"
#include "forge/gitlab_client.h"
#include "forge/rate_budget_registry.h"

namespace forgehook::forge {
namespace {

core::Error invalidCredential(std::string message) {
  return core::Error::invalidArgument("invalid_forge_credential", std::move(message));
}

std::string defaultUserAgent() {
  std::string agent = "forgehook/";
  agent.append(FORGEHOOK_VERSION);
  return agent;
}

std::string trimmedUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The header a plain token travels in, as each forge expects it.
std::pair<std::string, std::string> tokenHeader(core::Forge forge, const std::string& token) {
  switch (forge) {
    case core::Forge::GitHub:
      return {"Authorization", "Bearer " + token};
    case core::Forge::GitLab:
      return {"PRIVATE-TOKEN", token};
    case core::Forge::Gitea:
      return {"Authorization", "token " + token};
  }
  return {};
}

}  // namespace

core::Result<void> validateForgeCredential(const ForgeCredential& credential) {
  const std::string& url = credential.apiUrl;
  const auto schemeEnd = url.find("://");
  const std::string scheme = schemeEnd == std::string::npos ? "" : url.substr(0, schemeEnd);
  if ((scheme != "http" && scheme != "https") || url.size() == schemeEnd + 3 || url[schemeEnd + 3] == '/')
    return std::unexpected(invalidCredential("api_url must be an http:// or https:// URL with a host, e.g. "
                                             "https://api.github.com"));
  if (url.find_first_of(" \t\r\n?#") != std::string::npos)
    return std::unexpected(invalidCredential("api_url must not hold spaces, a query or a fragment"));
  if (credential.kind == ForgeCredential::Kind::Token) {
    if (credential.token.empty()) return std::unexpected(invalidCredential("a token credential needs a token"));
    if (credential.token.find_first_of(" \t\r\n") != std::string::npos)
      return std::unexpected(invalidCredential("the token holds whitespace or a line break; paste it again"));
    return {};
  }
  if (credential.forge != core::Forge::GitHub)
    return std::unexpected(invalidCredential("App credentials exist for GitHub only; use a token for " +
                                             std::string(core::forgeName(credential.forge))));
  if (credential.appId.empty()) return std::unexpected(invalidCredential("a GitHub App credential needs app_id"));
  return checkAppPrivateKey(credential.appPrivateKeyPem);
}

std::unique_ptr<ForgeClient> makeForgeClient(const ForgeCredential& credential, std::shared_ptr<ForgeHttp> http,
                                             const core::Clock& clock, ClientOptions options) {
  if (!options.sleeper) options.sleeper = realSleeper();
  if (options.userAgent.empty()) options.userAgent = defaultUserAgent();
  if (!options.budgets) options.budgets = std::make_shared<RateBudgetRegistry>(clock, options.sleeper);
  const std::string apiUrl = trimmedUrl(credential.apiUrl);
  const std::string userAgent = options.userAgent;
  auto registry = options.budgets;
  auto caller = std::make_shared<ApiCaller>(credential.forge, std::move(http), clock, std::move(options));

  std::shared_ptr<Authorizer> authorizer;
  if (credential.kind == ForgeCredential::Kind::App) {
    authorizer = std::make_shared<GitHubAppAuthorizer>(
        GitHubAppCredential{apiUrl, credential.appId, credential.appPrivateKeyPem}, caller, registry, clock, userAgent);
  } else {
    // The budget is keyed by a digest of the token: the same token shares one budget, and the
    // registry never holds the token itself.
    std::string key(core::forgeName(credential.forge));
    key.append(":").append(apiUrl).append(":").append(core::sha256Hex(credential.token));
    auto [name, value] = tokenHeader(credential.forge, credential.token);
    authorizer = std::make_shared<TokenAuthorizer>(std::move(name), std::move(value),
                                                   registry->budgetFor(key, std::string(core::forgeName(credential.forge)), "token"));
  }
  switch (credential.forge) {
    case core::Forge::GitHub:
      return std::make_unique<GitHubClient>(apiUrl, caller, authorizer, userAgent);
    case core::Forge::GitLab:
      return std::make_unique<GitLabClient>(apiUrl, caller, authorizer, userAgent);
    case core::Forge::Gitea:
      return std::make_unique<GiteaClient>(apiUrl, caller, authorizer, userAgent);
  }
  return nullptr;
}

}  // namespace forgehook::forge
