#pragma once
// forgehook's own view of an HTTP exchange, free of Beast so handlers are plain, testable
// functions: a Request in, a Response out through a Reply callback.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/form.h"

namespace forgehook::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // without the query
  std::string query;                                         // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  std::string remoteAddress;
  std::chrono::steady_clock::time_point receivedAt;  // when the head was read

  // First header with this name, case-insensitive; empty when absent.
  [[nodiscard]] std::string_view header(std::string_view name) const;
  [[nodiscard]] bool hasHeader(std::string_view name) const;
  // Value of a query parameter, percent-decoded; nothing when absent.
  [[nodiscard]] std::optional<std::string> queryParam(std::string_view name) const;
};

// What the request log line says about a request beyond method, path and status.
struct LogContext {
  std::string forge, deliveryId, event, repository;
  std::string refusal;  // the error's reason ("invalid_signature", ...) when the answer is one
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
  bool closeConnection = false;
  LogContext log;
};

// Thread-safe: may be called from any thread, exactly once.
using Reply = std::function<void(Response)>;

[[nodiscard]] Response jsonResponse(int status, std::string body);
// The one mapping of core::Error to an HTTP answer (status, JSON body, Retry-After).
[[nodiscard]] Response errorResponse(const core::Error& error);

[[nodiscard]] bool equalsIgnoreCase(std::string_view a, std::string_view b);
using core::percentDecode;

}  // namespace forgehook::http
