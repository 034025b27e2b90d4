#include "mcp/mcp_http.h"

#include "api/admin_auth.h"
#include "mcp/json_rpc.h"
#include "mcp/protocol.h"
#include "verify/hmac.h"

namespace forgehook::mcp {
namespace {

constexpr std::string_view kSessionHeader = "Mcp-Session-Id";
constexpr std::string_view kVersionHeader = "MCP-Protocol-Version";

http::Response rpcResponse(int status, std::string body) { return http::jsonResponse(status, std::move(body)); }

http::Response rpcError(int status, const nlohmann::json& id, int code, std::string_view message) {
  return rpcResponse(status, errorText(id, code, message));
}

http::Response unauthorized(std::string_view message) {
  auto response = http::errorResponse(core::Error::unauthenticated("unauthorized", std::string(message)));
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

http::Response accepted() {
  http::Response response;
  response.status = 202;
  response.contentType = "application/json";
  return response;
}

}  // namespace

// Who sent a request: the token (tools call the API with it) and whether it may change things.
struct McpHttp::Caller {
  std::string token;
  bool readOnly = true;
};

McpHttp::McpHttp(const http::Router& router, const api::Authenticator& auth, live::ChangeHub& hub, Options options)
    : auth_(auth),
      options_(std::move(options)),
      api_(router),
      dispatcher_(api_),
      sessions_(
          hub, [&auth](const std::string& token) { return auth.tokenPrincipal(token).has_value(); },
          options_.sessions) {}

std::vector<http::Route> McpHttp::routes() {
  return {
      {.method = "POST",
       .path = "/mcp",
       .maxBodyBytes = kMcpBodyLimit,
       .blocking = true,
       .handler = [this](http::Request&& r, http::Reply reply) { reply(post(r)); }},
      {.method = "DELETE",
       .path = "/mcp",
       .blocking = true,
       .handler = [this](http::Request&& r, http::Reply reply) { reply(remove(r)); }},
      {.method = "GET",
       .path = "/mcp",
       .stream = http::StreamKind::ServerSentEvents,
       .streamHandler = [this](const http::Request& r) { return stream(r); }},
  };
}

std::expected<McpHttp::Caller, http::Response> McpHttp::admit(const http::Request& request) const {
  // Against DNS rebinding: a page of another site resolving its name to us must not drive the tools.
  if (!api::sameOrigin(request))
    return std::unexpected(http::errorResponse(core::Error::forbidden("the Origin is not this server")));
  const auto token = api::bearerToken(request);
  if (!token) return std::unexpected(unauthorized("a bearer token is required"));
  auto principal = auth_.tokenPrincipal(*token);
  if (!principal)
    return std::unexpected(principal.error().code == core::Code::Unauthenticated
                               ? unauthorized(principal.error().message)
                               : http::errorResponse(principal.error()));  // the store: 503
  return Caller{std::string(*token), !principal->isAdmin()};
}

std::expected<std::shared_ptr<McpSession>, http::Response> McpHttp::session(const http::Request& request,
                                                                            const Caller& who) {
  if (!request.hasHeader(kSessionHeader))
    return std::unexpected(
        rpcError(400, nullptr, rpc::kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"));
  auto session = sessions_.find(std::string(request.header(kSessionHeader)));
  // A session is its token's: another caller naming it finds nothing.
  if (!session || !verify::secretEquals(session->identity().token, who.token))
    return std::unexpected(rpcError(404, nullptr, rpc::kInvalidRequest, "Session not found"));
  session->touch(std::chrono::steady_clock::now());
  return session;
}

http::Response McpHttp::post(const http::Request& request) {
  auto who = admit(request);
  if (!who) return who.error();
  if (request.hasHeader(kVersionHeader) && !isSupportedVersion(request.header(kVersionHeader)))
    return rpcError(400, nullptr, rpc::kInvalidRequest,
                    "Bad Request: unsupported MCP-Protocol-Version " + std::string(request.header(kVersionHeader)));
  auto message = parseMessage(request.body);
  if (!message) return rpcError(400, message.error().id, message.error().code, message.error().message);
  if (message->kind == RpcMessage::Kind::Request && message->method == "initialize") return initialize(*who, *message);
  auto found = session(request, *who);
  if (!found) return found.error();
  if (message->kind != RpcMessage::Kind::Request) return accepted();
  return rpcResponse(200, dispatcher_.answer(**found, *message));
}

http::Response McpHttp::initialize(const Caller& who, const RpcMessage& message) {
  const auto& params = message.params;
  if (!params.is_object() || !params.contains("protocolVersion") || !params["protocolVersion"].is_string())
    return rpcError(200, message.id, rpc::kInvalidParams, "Invalid params: protocolVersion must be a string");
  const std::string version = negotiateVersion(params["protocolVersion"].get<std::string>());
  auto created = sessions_.create({{}, who.token, who.readOnly, version});
  if (!created) {
    auto full = rpcError(503, message.id, rpc::kInternalError, created.error().message);
    full.headers.emplace_back("Retry-After", std::to_string(created.error().retryAfterSeconds));
    return full;
  }
  auto response = rpcResponse(200, resultText(message.id, initializeResult(version, options_.serverVersion)));
  response.headers.emplace_back(std::string(kSessionHeader), (*created)->identity().id);
  return response;
}

http::Response McpHttp::remove(const http::Request& request) {
  auto who = admit(request);
  if (!who) return who.error();
  auto found = session(request, *who);
  if (!found) return found.error();
  sessions_.end((*found)->identity().id);
  http::Response response;
  response.status = 204;
  return response;
}

http::StreamAnswer McpHttp::stream(const http::Request& request) {
  http::StreamAnswer answer;
  auto who = admit(request);
  if (!who) {
    answer.refusal = who.error();
    return answer;
  }
  auto found = session(request, *who);
  if (!found) {
    answer.refusal = found.error();
    return answer;
  }
  std::weak_ptr<McpSession> weak = *found;
  auto sinkHolder = std::make_shared<const http::StreamSink*>(nullptr);
  answer.onOpen = [weak, sinkHolder](std::shared_ptr<http::StreamSink> sink) {
    *sinkHolder = sink.get();
    if (auto session = weak.lock())
      session->attachStream(std::move(sink));
    else
      sink->close(http::kCloseNormal, "session ended");
  };
  answer.onClose = [weak, sinkHolder] {
    if (auto session = weak.lock()) session->detachStream(*sinkHolder);
  };
  return answer;
}

}  // namespace forgehook::mcp
