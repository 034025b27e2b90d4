#pragma once
// A minimal blocking HTTP/1.1 client for the CLI (plain http:// only). Beast stays in the .cc.
#include <string>
#include <utility>
#include <vector>

namespace forgehook::cli {

struct HttpResult {
  int status = 0;
  std::string body;
};

// Sends one request and reads the answer. Throws std::runtime_error for a bad URL or when the
// server cannot be reached.
HttpResult httpRequest(const std::string& method, const std::string& url,
                       const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body);

}  // namespace forgehook::cli
