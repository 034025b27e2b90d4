#pragma once
// HttpPoster over libcurl (one easy handle per request, so thread-safe), with the SSRF guard: the
// host is resolved here, every address is checked against address_policy.h and the connection is
// pinned to the checked address (CURLOPT_RESOLVE), with a second check on the socket curl opens,
// so a DNS answer that changes between check and connect (rebinding) cannot reach a refused
// address. Redirects are not followed (a 3xx is a failed attempt), proxies from the environment
// are ignored, only http and https are spoken, and at most kMaxResponseBytes of an answer are read.
#include <atomic>
#include <cstdint>
#include <string>

#include "outbound/http_poster.h"

namespace forgehook::outbound {

inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;

struct CurlPosterOptions {
  std::int64_t connectTimeoutMs = 5000;
  std::int64_t timeoutMs = 15000;  // the whole request, answer included
  bool allowPrivateNetworks = false;
  std::string userAgent = "forgehook";
};

class CurlPoster final : public HttpPoster {
 public:
  explicit CurlPoster(CurlPosterOptions options);
  ~CurlPoster() override;
  PostResult post(const PostRequest& request) override;
  void cancel() override { cancelled_ = true; }

 private:
  CurlPosterOptions options_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace forgehook::outbound
