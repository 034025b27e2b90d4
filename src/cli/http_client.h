#pragma once
// A minimal blocking HTTP/1.1 client for the CLI (plain http:// only). Beast stays in the .cc.
#include <string>
#include <utility>
#include <vector>

namespace forgehook::cli {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;
  std::string body;
  HttpHeaders headers = {};  // the response's headers, as received
};

// The parts of an http:// URL a client connects with.
struct HttpUrl {
  std::string host;       // for the resolver: an IPv6 literal without its brackets
  std::string port;       // "80" when the URL names none
  std::string authority;  // host[:port] as written, for the Host header and messages
  std::string target;     // path and query, "/" at least
};

// Splits `url`. Throws std::runtime_error for anything but http://.
[[nodiscard]] HttpUrl parseHttpUrl(const std::string& url);

// Sends one request and reads the answer. Throws std::runtime_error for a bad URL or when the
// server cannot be reached.
HttpResult httpRequest(const std::string& method, const std::string& url, const HttpHeaders& headers,
                       const std::string& body);

}  // namespace forgehook::cli
