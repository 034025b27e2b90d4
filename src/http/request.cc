#include "http/request.h"

#include <optional>

namespace forgehook::http {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equalsIgnoreCase(k, name)) return v;
  return {};
}

bool Request::hasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equalsIgnoreCase(k, name)) return true;
  return false;
}


std::optional<std::string> Request::queryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    std::string key;
    if (!percentDecode(pair.substr(0, eq), key) || key != name) continue;
    std::string value;
    if (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), value)) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

Response jsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response errorResponse(const core::Error& error) {
  Response r = jsonResponse(core::httpStatus(error.code), core::errorJson(error));
  if (error.retryAfterSeconds > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds));
  return r;
}

}  // namespace forgehook::http
