#pragma once
// Sends one HTTP POST and reports what came back: the seam between the dispatcher and the network
// (CurlPoster in production, a fake in tests). Implementations are thread-safe: several sender
// threads post at once.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace forgehook::outbound {

struct PostRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct PostResult {
  std::optional<int> statusCode;     // absent when no response came (refused, unreachable, timeout)
  std::string responseExcerpt;       // the first kExcerptBytes of the response body
  std::optional<std::string> error;  // why the attempt failed; absent on a 2xx
  std::int64_t durationMs = 0;
  [[nodiscard]] bool ok() const { return !error; }
};

inline constexpr std::size_t kExcerptBytes = 1024;

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  // Posts `request`; never throws. Success is a 2xx answer; anything else sets `error`.
  [[nodiscard]] virtual PostResult post(const PostRequest& request) = 0;
  // Ends the posts in flight soon and makes later ones fail at once (shutdown). Thread-safe.
  virtual void cancel() {}
};

}  // namespace forgehook::outbound
