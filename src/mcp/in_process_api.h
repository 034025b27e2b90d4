#pragma once
// Calls forgehook's own admin API without a socket: builds an http::Request carrying the MCP
// caller's bearer token and runs it through the router's route, so validation, access (read-only
// or admin) and errors are exactly the API's. Thread-safe (the router is read-only once serving);
// call it off the I/O threads: the routes it runs block on the store.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "http/router.h"

namespace forgehook::mcp {

struct ApiAnswer {
  int status = 0;
  nlohmann::json body;  // the API's JSON answer; null when it was not JSON
  [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
  // The API's error message and reason, for a tool error: "HTTP 404 not_found: no item 7".
  [[nodiscard]] std::string errorText() const;
};

class InProcessApi {
 public:
  explicit InProcessApi(const http::Router& router, std::chrono::milliseconds timeout = std::chrono::seconds(60))
      : router_(router), timeout_(timeout) {}

  // `method` `path`?`query` with `body` (none when null) as `token`'s caller. A route that does
  // not answer within the timeout gives 504.
  [[nodiscard]] ApiAnswer call(const std::string& method, const std::string& path, const std::string& query,
                               const nlohmann::json& body, const std::string& token) const;

 private:
  const http::Router& router_;
  std::chrono::milliseconds timeout_;
};

// `name=value` pairs, percent-encoded, joined with '&'; pairs with an empty value are left out.
[[nodiscard]] std::string queryString(std::initializer_list<std::pair<std::string_view, std::string>> pairs);

}  // namespace forgehook::mcp
