#pragma once
// JSON-RPC 2.0 as MCP uses it: one message per text (batch arrays are refused, as MCP 2025-06-18
// and later require), the standard error codes, and the three message forms the server writes.
// Pure functions; thread-safe.
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace forgehook::mcp {

namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;  // MCP's code for resources/read of an unknown URI
}  // namespace rpc

// One message from the client.
struct RpcMessage {
  enum class Kind { Request, Notification, Response };
  Kind kind = Kind::Request;
  nlohmann::json id;      // string or number; null for a notification
  std::string method;     // empty for a Response
  nlohmann::json params;  // an object, or null when absent
};

// Why a text is not a message we can act on: the code, a message for people, and the request's id
// when it could be read (null otherwise).
struct RpcFailure {
  int code = rpc::kInvalidRequest;
  std::string message;
  nlohmann::json id;
};

// Parses one JSON-RPC message. Errors: kParseError for text that is not JSON; kInvalidRequest for
// a batch array, a missing or wrong "jsonrpc", a bad id or method, or params that are not an object.
[[nodiscard]] std::expected<RpcMessage, RpcFailure> parseMessage(std::string_view text);

[[nodiscard]] std::string resultText(const nlohmann::json& id, const nlohmann::json& result);
[[nodiscard]] std::string errorText(const nlohmann::json& id, int code, std::string_view message);
[[nodiscard]] std::string notificationText(std::string_view method, const nlohmann::json& params);

}  // namespace forgehook::mcp
