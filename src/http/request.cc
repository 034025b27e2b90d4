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
  auto value = core::formField(query, name);
  return value ? *value : std::nullopt;  // a malformed value counts as absent
}

Response jsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response errorResponse(const core::Error& error) {
  Response r = jsonResponse(core::httpStatus(error.code), core::errorJson(error));
  r.log.refusal = error.reason;
  if (error.retryAfterSeconds > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds));
  return r;
}

}  // namespace forgehook::http
