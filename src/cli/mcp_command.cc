// forgehook mcp: MCP over stdio for desktop assistants, as a proxy to the running server's /mcp.
// Reads newline-delimited JSON-RPC from stdin, POSTs each message to /mcp (with the session id
// `initialize` gave), writes each answer as one line to stdout, and after `initialize` follows
// GET /mcp (SSE) to write the server's notifications as lines too. Nothing but JSON-RPC goes to
// stdout; diagnostics go to stderr. At EOF the session is ended (DELETE /mcp).
#include <CLI/CLI.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/http_client.h"
#include "cli/http_stream.h"
#include "cli/sse_parser.h"
#include "http/request.h"
#include "mcp/json_rpc.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

// stdout is shared by the answers and the notification thread: one whole line at a time.
class LineWriter {
 public:
  void write(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::cout << line << '\n' << std::flush;
  }

 private:
  std::mutex mutex_;
};

std::string headerOf(const HttpResult& result, std::string_view name) {
  for (const auto& [key, value] : result.headers)
    if (http::equalsIgnoreCase(key, name)) return value;
  return {};
}

// One stdio session with the server.
class StdioProxy {
 public:
  explicit StdioProxy(const AdminTarget& target) : target_(target) {}
  ~StdioProxy() { stopNotifications(); }

  // Forwards one line from stdin.
  void forward(const std::string& line) {
    const auto message = json::parse(line, nullptr, false);
    const json id = message.is_object() && message.contains("id") ? message["id"] : json();
    const bool isInitialize = message.is_object() && message.value("method", "") == "initialize";
    HttpResult result;
    try {
      if (base_.empty()) {
        base_ = target_.baseUrl();
        headers_ = target_.authorization();
      }
      result = httpRequest("POST", base_ + "/mcp", requestHeaders(), line);
    } catch (const std::exception& e) {
      unreachable_ = true;
      std::cerr << "forgehook mcp: " << e.what() << "\n";
      if (!id.is_null())
        out_.write(
            mcp::errorText(id, mcp::rpc::kInternalError, std::string("forgehook server unreachable: ") + e.what()));
      return;
    }
    if (result.status == 202) return;
    auto answer = json::parse(result.body, nullptr, false);
    if (answer.is_object() && answer.contains("jsonrpc") && (id.is_null() || answer.value("id", json()) == id)) {
      out_.write(answer.dump());
    } else if (!id.is_null()) {
      // The transport's own refusal (401, 403, 404 with or without a JSON-RPC body): an error of
      // this request, so the client does not wait for an answer that never comes.
      const bool rpcError = answer.is_object() && answer.contains("error") && answer["error"].is_object();
      const std::string detail = rpcError ? answer["error"].value("message", "") : std::string();
      out_.write(mcp::errorText(
          id, rpcError ? answer["error"].value("code", mcp::rpc::kInternalError) : mcp::rpc::kInternalError,
          rpcError ? "HTTP " + std::to_string(result.status) + ": " + detail
                   : AdminTarget::errorMessage(result.status, result.body)));
    }
    if (result.status == 404) sessionId_.clear();  // the session ended on the server
    if (isInitialize && result.status == 200 && answer.contains("result")) {
      sessionId_ = headerOf(result, "Mcp-Session-Id");
      protocolVersion_ = answer["result"].value("protocolVersion", "");
      startNotifications();
    }
  }

  // EOF: end the session. Returns the exit code.
  int finish() {
    stopNotifications();
    if (!sessionId_.empty()) {
      try {
        (void)httpRequest("DELETE", base_ + "/mcp", sessionHeaders(), "");
      } catch (const std::exception& e) {
        std::cerr << "forgehook mcp: ending the session: " << e.what() << "\n";
      }
    }
    return unreachable_ ? 1 : 0;
  }

 private:
  // The token and the session: what every request to /mcp carries.
  HttpHeaders sessionHeaders() const {
    HttpHeaders headers = headers_;
    if (!sessionId_.empty()) headers.emplace_back("Mcp-Session-Id", sessionId_);
    if (!protocolVersion_.empty()) headers.emplace_back("MCP-Protocol-Version", protocolVersion_);
    return headers;
  }
  // A POST of one message.
  HttpHeaders requestHeaders() const {
    HttpHeaders headers = sessionHeaders();
    headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("Accept", "application/json, text/event-stream");
    return headers;
  }

  void startNotifications() {
    stopNotifications();
    HttpHeaders headers = sessionHeaders();
    headers.emplace_back("Accept", "text/event-stream");
    notifications_ = std::jthread([this, url = base_ + "/mcp", headers](std::stop_token stop) {
      while (!stop.stop_requested()) {
        SseParser parser;
        auto end = httpGetStream(
            url, headers,
            [&](std::string_view piece) {
              parser.feed(piece, [this](const SseEvent& event) {
                if (event.type == "message" && !event.data.empty()) out_.write(event.data);
              });
            },
            stop);
        if (end.stopped || end.status == 404 || end.status == 401 || end.status == 400) return;
        if (!end.error.empty()) std::cerr << "forgehook mcp: notification stream: " << end.error << "; reconnecting\n";
        // Wait a little before reconnecting, or less when stopped.
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
      }
    });
  }

  void stopNotifications() {
    if (notifications_.joinable()) {
      notifications_.request_stop();
      notifications_.join();
    }
  }

  const AdminTarget& target_;
  LineWriter out_;
  std::string base_, sessionId_, protocolVersion_;
  HttpHeaders headers_;
  bool unreachable_ = false;
  std::jthread notifications_;
};

}  // namespace

void addMcpCommand(CLI::App& app, int& exitCode) {
  auto target = std::make_shared<AdminTarget>();
  auto* command = app.add_subcommand(
      "mcp", "Speak MCP (Model Context Protocol) on stdin/stdout for a desktop assistant, through the running server");
  target->addTo(*command);
  command->callback([target, &exitCode] {
    StdioProxy proxy(*target);
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      proxy.forward(line);
    }
    exitCode = proxy.finish();
  });
}

}  // namespace forgehook::cli
