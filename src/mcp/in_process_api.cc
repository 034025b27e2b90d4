#include "mcp/in_process_api.h"

#include <future>
#include <memory>

#include "core/form.h"

namespace forgehook::mcp {

std::string ApiAnswer::errorText() const {
  const std::string reason = body.is_object() ? body.value("error", "") : "";
  const std::string message = body.is_object() ? body.value("message", "") : "";
  std::string text = "HTTP " + std::to_string(status);
  if (!reason.empty()) text.append(" ").append(reason);
  if (!message.empty()) text.append(": ").append(message);
  return text;
}

ApiAnswer InProcessApi::call(const std::string& method, const std::string& path, const std::string& query,
                             const nlohmann::json& body, const std::string& token) const {
  const auto match = router_.match(method, path);
  if (!match.route || !match.route->handler) return {match.status, {{"error", "not_found"}, {"message", path}}};
  http::Request request;
  request.method = method;
  request.path = path;
  request.query = query;
  request.headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.is_null()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body.dump();
  }
  request.remoteAddress = "mcp";
  request.receivedAt = std::chrono::steady_clock::now();
  // Most handlers answer before returning; a shared promise also serves one that answers later.
  auto promise = std::make_shared<std::promise<http::Response>>();
  auto future = promise->get_future();
  match.route->handler(std::move(request),
                       [promise](http::Response response) { promise->set_value(std::move(response)); });
  if (future.wait_for(timeout_) != std::future_status::ready)
    return {504, {{"error", "timeout"}, {"message", "the API did not answer in time"}}};
  auto response = future.get();
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  return {response.status, json.is_discarded() ? nlohmann::json() : std::move(json)};
}

std::string queryString(std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    out.append(out.empty() ? "" : "&").append(name).push_back('=');
    out.append(core::percentEncode(value));
  }
  return out;
}

}  // namespace forgehook::mcp
