#include "forge/rest_forge_client.h"

#include "forge/link_header.h"
#include "forge/target_path.h"

namespace forgehook::forge {

RestForgeClient::RestForgeClient(std::string apiUrl, std::string_view versionPath, std::shared_ptr<ApiCaller> caller,
                                 std::shared_ptr<Authorizer> authorizer, std::string userAgent)
    : apiUrl_(std::move(apiUrl)), caller_(std::move(caller)), authorizer_(std::move(authorizer)),
      userAgent_(std::move(userAgent)) {
  while (!apiUrl_.empty() && apiUrl_.back() == '/') apiUrl_.pop_back();
  if (!apiUrl_.ends_with(versionPath)) apiUrl_.append(versionPath);
}

core::Result<std::string> RestForgeClient::targetUrl(const HookTarget& target) const {
  const bool repository = target.kind == HookTarget::Kind::Repository;
  auto path = encodedSegments(target, repository ? 2 : 1);
  if (!path) return std::unexpected(path.error());
  std::string url = apiUrl_;
  url.append(repository ? "/repos/" : "/orgs/").append(*path);
  return url;
}

HttpRequest RestForgeClient::buildRequest(std::string method, std::string url, std::string jsonBody) const {
  HttpRequest request{std::move(method), std::move(url), {{"Accept", "application/json"}, {"User-Agent", userAgent_}},
                      std::move(jsonBody)};
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

core::Result<HttpResponse> RestForgeClient::call(const HookTarget& target, std::string method, std::string url,
                                                 std::string jsonBody, HeaderList extraHeaders) {
  auto request = buildRequest(std::move(method), std::move(url), std::move(jsonBody));
  request.headers.insert(request.headers.end(), extraHeaders.begin(), extraHeaders.end());
  return caller_->sendAs(*authorizer_, target, std::move(request));
}

core::Result<HttpResponse> RestForgeClient::callTarget(const HookTarget& target, std::string method,
                                                       const std::string& path, std::string jsonBody,
                                                       HeaderList extraHeaders) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  return call(target, std::move(method), *base + path, std::move(jsonBody), std::move(extraHeaders));
}

core::Result<void> RestForgeClient::callTargetIgnoringBody(const HookTarget& target, std::string method,
                                                           const std::string& path) {
  auto answer = callTarget(target, std::move(method), path);
  if (!answer) return std::unexpected(answer.error());
  return {};
}

core::Result<AccessReport> RestForgeClient::accessReportFor(const HookTarget& target) {
  auto base = targetUrl(target);
  if (!base) return std::unexpected(base.error());
  auto who = authorizer_->authorize(target);
  if (!who) return std::unexpected(who.error());
  AccessReport report;
  report.credential = who->label;
  return report;
}

core::Result<AccessReport> RestForgeClient::checkAccessByListingHooks(const HookTarget& target,
                                                                      const std::string& probePath) {
  auto report = accessReportFor(target);
  if (!report) return report;
  auto probe = callTarget(target, "GET", probePath);
  if (!probe) return refusalAsFinding(probe.error(), std::move(*report));
  report->canReadHooks = true;
  report->canManageHooks = true;
  return report;
}

core::Result<AccessReport> RestForgeClient::refusalAsFinding(const core::Error& error, AccessReport report) {
  if (error.code != core::Code::NotFound && error.code != core::Code::Forbidden) return std::unexpected(error);
  report.detail = error.message;
  return report;
}

std::string RestForgeClient::hookPath(const std::string& hookId) { return "/hooks/" + percentEncode(hookId); }

}  // namespace forgehook::forge
