#include "forge/github_app.h"

#include <nlohmann/json.hpp>

#include "forge/app_jwt.h"
#include "forge/forge_errors.h"
#include "forge/github_request.h"
#include "forge/target_path.h"

namespace forgehook::forge {
namespace {

// A token this close to expiry is replaced rather than used: a long request must not outlive it.
constexpr std::int64_t kRefreshBeforeExpirySeconds = 5 * 60;

std::string targetKey(const HookTarget& target) {
  std::string key = target.kind == HookTarget::Kind::Repository ? "repo:" : "org:";
  key.append(target.path);
  return key;
}

std::string installationLabel(const std::string& id) {
  std::string label = "GitHub App installation ";
  label.append(id);
  return label;
}

}  // namespace

GitHubAppAuthorizer::GitHubAppAuthorizer(GitHubAppCredential credential, std::shared_ptr<ApiCaller> caller,
                                         std::shared_ptr<RateBudgetRegistry> budgets, const core::Clock& clock,
                                         std::string userAgent)
    : credential_(std::move(credential)), caller_(std::move(caller)), registry_(std::move(budgets)), clock_(clock),
      userAgent_(std::move(userAgent)) {
  std::string key = "github-app:";
  key.append(credential_.apiUrl).append(":").append(credential_.appId);
  std::string label = "GitHub App ";
  label.append(credential_.appId);
  appBudget_ = registry_->budgetFor(key, "github", label);
}

core::Result<std::string> GitHubAppAuthorizer::installationFor(const HookTarget& target) {
  const std::string key = targetKey(target);
  {
    std::lock_guard lock(mutex_);
    if (const auto found = installations_.find(key); found != installations_.end()) return found->second;
  }
  const bool repository = target.kind == HookTarget::Kind::Repository;
  auto path = encodedSegments(target, repository ? 2 : 1);
  if (!path) return std::unexpected(path.error());
  auto jwt = makeAppJwt(credential_.appId, credential_.privateKeyPem, clock_.nowSeconds());
  if (!jwt) return std::unexpected(jwt.error());
  std::string url = credential_.apiUrl;
  url.append(repository ? "/repos/" : "/orgs/").append(*path).append("/installation");
  auto request = gitHubRequest("GET", url, userAgent_);
  request.headers.emplace_back("Authorization", "Bearer " + *jwt);
  auto answer = caller_->send(request, *appBudget_);
  if (!answer) {
    if (answer.error().code == core::Code::NotFound)
      return std::unexpected(forgeNotFound("GitHub App " + credential_.appId + " is not installed on " + target.path +
                                           ": install it there, with the Webhooks permission"));
    return std::unexpected(answer.error());
  }
  const auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (json.is_discarded() || !json.contains("id") || !json["id"].is_number_integer())
    return std::unexpected(forgeUnavailable("GitHub answered the installation lookup without an id"));
  std::string id = std::to_string(json["id"].get<std::int64_t>());
  std::lock_guard lock(mutex_);
  installations_[key] = id;
  return id;
}

core::Result<GitHubAppAuthorizer::CachedToken> GitHubAppAuthorizer::mintToken(const std::string& installationId) {
  auto jwt = makeAppJwt(credential_.appId, credential_.privateKeyPem, clock_.nowSeconds());
  if (!jwt) return std::unexpected(jwt.error());
  std::string url = credential_.apiUrl;
  url.append("/app/installations/").append(installationId).append("/access_tokens");
  auto request = gitHubRequest("POST", url, userAgent_);
  request.headers.emplace_back("Authorization", "Bearer " + *jwt);
  auto answer = caller_->send(request, *appBudget_);
  if (!answer) return std::unexpected(answer.error());
  const auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (json.is_discarded() || !json.contains("token") || !json["token"].is_string())
    return std::unexpected(forgeUnavailable("GitHub answered the installation token request without a token"));
  CachedToken token{json["token"].get<std::string>(), 0};
  if (json.contains("expires_at") && json["expires_at"].is_string())
    if (const auto at = core::parseTimestamp(json["expires_at"].get<std::string>())) token.expiresAt = *at / 1'000'000;
  // Without a readable expiry, assume GitHub's one hour.
  if (token.expiresAt == 0) token.expiresAt = clock_.nowSeconds() + 3600;
  return token;
}

std::shared_ptr<RateBudget> GitHubAppAuthorizer::installationBudget(const std::string& installationId) {
  std::lock_guard lock(mutex_);
  auto& budget = installationBudgets_[installationId];
  if (!budget) {
    std::string key = "github-installation:";
    key.append(credential_.apiUrl).append(":").append(installationId);
    budget = registry_->budgetFor(key, "github", installationLabel(installationId));
  }
  return budget;
}

core::Result<Authorization> GitHubAppAuthorizer::authorize(const HookTarget& target) {
  auto installation = installationFor(target);
  if (!installation) return std::unexpected(installation.error());
  std::string token;
  {
    std::lock_guard lock(mutex_);
    if (const auto found = tokens_.find(*installation);
        found != tokens_.end() && found->second.expiresAt - kRefreshBeforeExpirySeconds > clock_.nowSeconds())
      token = found->second.token;
  }
  if (token.empty()) {
    auto minted = mintToken(*installation);
    if (!minted) return std::unexpected(minted.error());
    token = minted->token;
    std::lock_guard lock(mutex_);
    tokens_[*installation] = std::move(*minted);
  }
  return Authorization{{{"Authorization", "Bearer " + token}}, installationBudget(*installation),
                       installationLabel(*installation), true};
}

void GitHubAppAuthorizer::invalidate(const HookTarget& target) {
  std::lock_guard lock(mutex_);
  if (const auto found = installations_.find(targetKey(target)); found != installations_.end())
    tokens_.erase(found->second);
}

std::vector<RateBudgetView> GitHubAppAuthorizer::budgets() const {
  std::lock_guard lock(mutex_);
  std::vector<RateBudgetView> views{appBudget_->view()};
  for (const auto& [id, budget] : installationBudgets_) views.push_back(budget->view());
  return views;
}

}  // namespace forgehook::forge
