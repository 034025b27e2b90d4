#pragma once
// Turning what users and `serve` write down into a base URL the HTTP client can use.
#include <string>

namespace forgehook::cli {

// "host:port", "http://host:port" or "http://host:port/" → "http://host:port". Any other scheme
// is kept (and refused later by the HTTP client with a clear message).
[[nodiscard]] std::string normalizeServerUrl(const std::string& text);

// The content of forgehook.addr ("0.0.0.0:8765", "[::]:8765", "127.0.0.1:40123") → a URL to
// connect to: a wildcard bind address is reached over loopback.
[[nodiscard]] std::string urlFromBoundAddress(const std::string& address);

}  // namespace forgehook::cli
