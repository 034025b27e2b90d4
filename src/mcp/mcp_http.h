#pragma once
// MCP's Streamable HTTP transport at /mcp (specification 2025-11-25, "Transports"): POST one
// JSON-RPC message (answered application/json, or 202 for a notification or response), GET with
// Accept: text/event-stream for the session's notification stream, DELETE to end the session.
// A bearer token (the admin token or a read-only API token) on every request; `initialize`
// creates a session named by the Mcp-Session-Id header, which later requests must carry. Owns the
// sessions; must outlive the router it adds its routes to. Thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "api/admin_auth.h"
#include "http/router.h"
#include "live/change_hub.h"
#include "mcp/dispatcher.h"
#include "mcp/in_process_api.h"
#include "mcp/session_registry.h"

namespace forgehook::mcp {

inline constexpr std::int64_t kMcpBodyLimit = 1024 * 1024;

class McpHttp {
 public:
  struct Options {
    std::string serverVersion;            // serverInfo.version
    SessionRegistry::Options sessions{};  // bounds and expiry
  };
  // `router` holds the API routes the tools call; it is read when a tool runs, so routes may be
  // added to it (these included) until the server starts.
  McpHttp(const http::Router& router, const api::Authenticator& auth, live::ChangeHub& hub, Options options);

  [[nodiscard]] std::vector<http::Route> routes();

 private:
  struct Caller;
  // Who sent a request, when it may use /mcp at all: refused (the answer to send) for a foreign
  // Origin (403), no or a bad bearer token (401 with WWW-Authenticate), a store that cannot be read (503).
  [[nodiscard]] std::expected<Caller, http::Response> admit(const http::Request& request) const;
  [[nodiscard]] http::Response post(const http::Request& request);
  [[nodiscard]] http::Response initialize(const Caller& who, const RpcMessage& message);
  [[nodiscard]] http::Response remove(const http::Request& request);
  [[nodiscard]] http::StreamAnswer stream(const http::Request& request);
  // The request's session, checked against its caller. Errors: 400 without the header, 404 unknown.
  [[nodiscard]] std::expected<std::shared_ptr<McpSession>, http::Response> session(const http::Request& request,
                                                                                   const Caller& who);

  const api::Authenticator& auth_;
  Options options_;
  InProcessApi api_;
  Dispatcher dispatcher_;
  SessionRegistry sessions_;
};

}  // namespace forgehook::mcp
