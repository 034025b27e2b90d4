#include "api/session_cookie.h"

namespace forgehook::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string attributes(std::int64_t maxAgeSeconds, bool secure) {
  std::string out = "; Path=/; Max-Age=" + std::to_string(maxAgeSeconds) + "; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

}  // namespace

std::optional<std::string> sessionCookie(const http::Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (!http::equalsIgnoreCase(name, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != kSessionCookie) continue;
      const auto id = trim(pair.substr(eq + 1));
      if (!id.empty()) return std::string(id);
    }
  }
  return std::nullopt;
}

std::string sessionSetCookie(std::string_view id, std::int64_t maxAgeSeconds, bool secure) {
  return std::string(kSessionCookie) + "=" + std::string(id) + attributes(maxAgeSeconds, secure);
}

std::string sessionClearCookie(bool secure) { return std::string(kSessionCookie) + "=" + attributes(0, secure); }

bool cameOverTls(const http::Request& request) {
  return http::equalsIgnoreCase(trim(request.header("X-Forwarded-Proto")), "https");
}

}  // namespace forgehook::api
