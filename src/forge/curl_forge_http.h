#pragma once
// ForgeHttp over libcurl: one easy handle per request (so thread-safe), connect and total timeouts,
// a cap on the answer's size, no redirects, proxies from the environment ignored. There is no SSRF
// guard: the API base URL is configured by the administrator, not by a webhook sender.
#include <cstddef>
#include <cstdint>

#include "forge/forge_http.h"

namespace forgehook::forge {

struct CurlForgeHttpOptions {
  std::int64_t connectTimeoutMs = 5000;
  std::int64_t timeoutMs = 30000;  // the whole exchange; a slow forge is retried by ApiCaller
  std::size_t maxResponseBytes = 32 * 1024 * 1024;  // a hook list or event page is far smaller
};

class CurlForgeHttp final : public ForgeHttp {
 public:
  explicit CurlForgeHttp(CurlForgeHttpOptions options = {});
  ~CurlForgeHttp() override;
  CurlForgeHttp(const CurlForgeHttp&) = delete;
  CurlForgeHttp& operator=(const CurlForgeHttp&) = delete;

  [[nodiscard]] core::Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  CurlForgeHttpOptions options_;
};

}  // namespace forgehook::forge
