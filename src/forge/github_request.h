#pragma once
// The headers every GitHub REST request carries (media type, API version, User-Agent), so the
// client and the App authoriser ask alike.
#include <string>

#include "forge/forge_http.h"

namespace forgehook::forge {

inline constexpr const char* kGitHubApiVersion = "2022-11-28";

// `url` absolute; a non-empty `jsonBody` is sent as application/json.
[[nodiscard]] inline HttpRequest gitHubRequest(std::string method, std::string url, const std::string& userAgent,
                                               std::string jsonBody = {}) {
  HttpRequest request{std::move(method), std::move(url), {}, std::move(jsonBody)};
  request.headers = {{"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", kGitHubApiVersion},
                     {"User-Agent", userAgent}};
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

}  // namespace forgehook::forge
