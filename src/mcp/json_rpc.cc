#include "mcp/json_rpc.h"

namespace forgehook::mcp {
namespace {

std::unexpected<RpcFailure> failure(int code, std::string message, nlohmann::json id = nullptr) {
  return std::unexpected(RpcFailure{code, std::move(message), std::move(id)});
}

}  // namespace

std::expected<RpcMessage, RpcFailure> parseMessage(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return failure(rpc::kParseError, "Parse error: the body is not valid JSON");
  if (json.is_array()) return failure(rpc::kInvalidRequest, "Invalid Request: batches are not supported");
  if (!json.is_object()) return failure(rpc::kInvalidRequest, "Invalid Request: a message is a JSON object");
  nlohmann::json id = nullptr;
  if (auto it = json.find("id"); it != json.end()) {
    if (!it->is_string() && !it->is_number_integer())
      return failure(rpc::kInvalidRequest, "Invalid Request: id must be a string or an integer");
    id = *it;
  }
  if (auto v = json.find("jsonrpc"); v == json.end() || *v != "2.0")
    return failure(rpc::kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"", id);
  RpcMessage message;
  message.id = id;
  const auto method = json.find("method");
  if (method == json.end()) {
    if (id.is_null() || (!json.contains("result") && !json.contains("error")))
      return failure(rpc::kInvalidRequest, "Invalid Request: no method, and not a response", id);
    message.kind = RpcMessage::Kind::Response;
    return message;
  }
  if (!method->is_string() || method->get_ref<const std::string&>().empty())
    return failure(rpc::kInvalidRequest, "Invalid Request: method must be a non-empty string", id);
  message.method = method->get<std::string>();
  message.kind = id.is_null() ? RpcMessage::Kind::Notification : RpcMessage::Kind::Request;
  if (auto params = json.find("params"); params != json.end() && !params->is_null()) {
    if (!params->is_object()) return failure(rpc::kInvalidRequest, "Invalid Request: params must be an object", id);
    message.params = *params;
  }
  return message;
}

std::string resultText(const nlohmann::json& id, const nlohmann::json& result) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
}

std::string errorText(const nlohmann::json& id, int code, std::string_view message) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string notificationText(std::string_view method, const nlohmann::json& params) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace forgehook::mcp
