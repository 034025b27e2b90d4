#pragma once
// The transport seam of the forge clients: one HTTP exchange, no retries, no rate limits, no auth
// logic. The libcurl implementation is curl_forge_http.h; tests script a fake. Implementations are
// thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace forgehook::forge {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", "PUT", "DELETE"
  std::string url;     // absolute
  HeaderList headers;  // may hold credentials: never logged, never copied into an error
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased, in the order received
  std::string body;
  std::int64_t durationMs = 0;

  // The first header of that name (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

class ForgeHttp {
 public:
  virtual ~ForgeHttp() = default;
  // Any answer the server gave, whatever its status. Errors: Unavailable "forge_unavailable" when
  // no answer came (refused, reset, timed out, TLS failure, answer over the size cap).
  [[nodiscard]] virtual core::Result<HttpResponse> send(const HttpRequest& request) = 0;
};

}  // namespace forgehook::forge
