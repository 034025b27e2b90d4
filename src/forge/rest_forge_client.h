#pragma once
// What the REST clients of GitHub, GitLab and Gitea share: the API base URL, the caller, the
// authoriser and the User-Agent, and the calls made with them (a request to a path under the
// target, sent as the target's credential) and the access check's common steps. The JSON side is
// json_answers.h, for .cc files only. Thread-safe: state lives in the authorizer and the budgets.
#include <memory>
#include <string>
#include <string_view>

#include "forge/api_caller.h"
#include "forge/authorizer.h"
#include "forge/forge_client.h"

namespace forgehook::forge {

class RestForgeClient : public ForgeClient {
 public:
  [[nodiscard]] std::vector<RateBudgetView> budgets() const final { return authorizer_->budgets(); }

 protected:
  // `apiUrl` loses its trailing slashes and gains `versionPath` ("/api/v4"; "" for none) when it
  // does not end with it. Requires: `caller` and `authorizer` non-null.
  RestForgeClient(std::string apiUrl, std::string_view versionPath, std::shared_ptr<ApiCaller> caller,
                  std::shared_ptr<Authorizer> authorizer, std::string userAgent);

  // The target's base URL; by default ".../repos/owner/name" or ".../orgs/org" (GitHub, Gitea).
  // Errors: InvalidArgument "invalid_target".
  [[nodiscard]] virtual core::Result<std::string> targetUrl(const HookTarget& target) const;
  // A request as this forge wants it; by default JSON accepted, the User-Agent, and a non-empty
  // `jsonBody` sent as application/json.
  [[nodiscard]] virtual HttpRequest buildRequest(std::string method, std::string url, std::string jsonBody) const;

  // `method url` (absolute) sent as the target's credential. Errors: see ApiCaller::sendAs.
  [[nodiscard]] core::Result<HttpResponse> call(const HookTarget& target, std::string method, std::string url,
                                                std::string jsonBody = {}, HeaderList extraHeaders = {});
  // The same for `path` under targetUrl(target) ("/hooks/1"); also targetUrl's errors.
  [[nodiscard]] core::Result<HttpResponse> callTarget(const HookTarget& target, std::string method,
                                                      const std::string& path, std::string jsonBody = {},
                                                      HeaderList extraHeaders = {});
  // callTarget for calls whose answer has nothing to read (delete, ping, redeliver).
  [[nodiscard]] core::Result<void> callTargetIgnoringBody(const HookTarget& target, std::string method,
                                                          const std::string& path);

  // An empty report naming the credential `target` is called with. Errors: targetUrl's, and what
  // authorising met.
  [[nodiscard]] core::Result<AccessReport> accessReportFor(const HookTarget& target);
  // checkAccess where listing hooks already needs the right to manage them (GitLab, Gitea): one GET
  // of `probePath` under the target.
  [[nodiscard]] core::Result<AccessReport> checkAccessByListingHooks(const HookTarget& target,
                                                                     const std::string& probePath);
  // A refusal (NotFound, Forbidden) is a finding of an access check, not its failure: `report` with
  // the refusal as its detail. Any other error is returned as it is.
  [[nodiscard]] static core::Result<AccessReport> refusalAsFinding(const core::Error& error, AccessReport report);

  // "/hooks/<id>", the id encoded.
  [[nodiscard]] static std::string hookPath(const std::string& hookId);

  [[nodiscard]] const std::string& apiUrl() const { return apiUrl_; }
  [[nodiscard]] const std::string& userAgent() const { return userAgent_; }

 private:
  std::string apiUrl_;
  std::shared_ptr<ApiCaller> caller_;
  std::shared_ptr<Authorizer> authorizer_;
  std::string userAgent_;
};

}  // namespace forgehook::forge
