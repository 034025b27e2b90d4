#pragma once
// Maps method + path to a handler. Built once at start-up, then read-only (thread-safe to match).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/stream.h"

namespace forgehook::http {

using Handler = std::function<void(Request&&, Reply)>;

struct Route {
  // Every field has a default, so routes are written with designated initializers naming only
  // what differs.
  std::string method{};
  std::string path{};             // exact, or a prefix when it ends with '*' ("/api/v1/deliveries/*")
  std::string name{};             // label for metrics and logs; defaults to path
  std::int64_t maxBodyBytes = 0;  // requests with larger bodies get 413 before the body is read
  bool blocking = false;          // the handler blocks (database reads): run it off the I/O threads
  bool webhook = false;           // counts toward the ack-latency histogram
  Handler handler{};
  // A stream route (SSE or WebSocket) has a streamHandler instead of a handler; it runs on the
  // blocking pool (it may read the store: a token, a session), then the session opens the stream.
  std::optional<StreamKind> stream{};
  StreamHandler streamHandler{};
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;  // null when no route matched
    int status = 404;              // 404 or 405 when route is null
    std::string allow;             // methods for the Allow header of a 405
  };
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace forgehook::http
