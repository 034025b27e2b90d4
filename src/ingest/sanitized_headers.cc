#include "ingest/sanitized_headers.h"

#include "core/json_text.h"
#include "http/request.h"

namespace forgehook::ingest {

bool isCredentialHeader(std::string_view name) {
  static constexpr std::string_view kCredentials[] = {"x-hub-signature",     "x-hub-signature-256",
                                                      "x-gitlab-token",      "x-gitea-signature",
                                                      "x-forgejo-signature", "x-gogs-signature",
                                                      "webhook-signature",   "authorization",
                                                      "proxy-authorization", "cookie",
                                                      "set-cookie",          "x-api-key"};
  for (auto c : kCredentials)
    if (http::equalsIgnoreCase(name, c)) return true;
  return false;
}

std::string sanitizedHeadersJson(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "{";
  for (const auto& [name, value] : headers) {
    if (out.size() > 1) out += ',';
    core::appendJsonString(out, name);
    out += ':';
    core::appendJsonString(out, isCredentialHeader(name) ? std::string_view("[redacted]") : std::string_view(value));
  }
  out += '}';
  return out;
}

}  // namespace forgehook::ingest
