#include "api/secrets_api.h"
#include "core/forge.h"

#include <nlohmann/json.hpp>

#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

struct Scope {
  std::string forge, scope, key;
};

// "/api/v1/secrets/{forge}/{scope}/{key...}" where a repository key keeps its slash.
core::Result<Scope> scopeFrom(const http::Request& request) {
  constexpr std::string_view kPrefix = "/api/v1/secrets/";
  std::string_view rest = std::string_view(request.path).substr(kPrefix.size());
  Scope s;
  const auto a = rest.find('/');
  const auto b = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (b == std::string_view::npos)
    return std::unexpected(core::Error::notFound("expected /api/v1/secrets/{forge}/{hook|repository}/{key}"));
  std::string decoded;
  if (!http::percentDecode(rest.substr(b + 1), decoded) || decoded.empty())
    return std::unexpected(invalidArgument("missing key"));
  s.forge = rest.substr(0, a);
  s.scope = rest.substr(a + 1, b - a - 1);
  s.key = std::move(decoded);
  // Repository names compare case-insensitively, as on the forges: one scope per repository.
  if (s.scope == "repository")
    for (auto& c : s.key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!isKnownForge(s.forge))
    return std::unexpected(invalidArgument("forge must be " + std::string(core::knownForgesText())));
  if (s.scope != "hook" && s.scope != "repository")
    return std::unexpected(invalidArgument("scope must be hook or repository"));
  if (s.scope == "repository" && s.key.find('/') == std::string::npos)
    return std::unexpected(invalidArgument("a repository key is owner/name"));
  return s;
}

}  // namespace

http::Response SecretsApi::list(const http::Request&) const {
  auto stored = store_.loadSecrets();
  if (!stored) return http::errorResponse(stored.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : *stored)
    items.push_back({{"forge", s.forge}, {"scope", s.scope}, {"key", s.key}, {"count", s.secrets.size()}});
  return jsonReply({{"secrets", std::move(items)}});
}

http::Response SecretsApi::put(const http::Request& request) const {
  auto scope = scopeFrom(request);
  if (!scope) return http::errorResponse(scope.error());
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  std::vector<std::string> secrets;
  if (body.is_object() && body.contains("secrets") && body["secrets"].is_array()) {
    for (const auto& s : body["secrets"]) {
      if (!s.is_string() || s.get<std::string>().empty()) {
        secrets.clear();
        break;
      }
      secrets.push_back(s.get<std::string>());
    }
  }
  if (secrets.empty())
    return http::errorResponse(
        invalidArgument("body must be {\"secrets\": [\"current\", ...]} with non-empty strings"));
  if (auto ok = store_.putSecrets({scope->forge, scope->scope, scope->key, std::move(secrets)}); !ok)
    return http::errorResponse(ok.error());
  onChanged_();
  return jsonReply({{"forge", scope->forge}, {"scope", scope->scope}, {"key", scope->key}, {"status", "stored"}});
}

http::Response SecretsApi::remove(const http::Request& request) const {
  auto scope = scopeFrom(request);
  if (!scope) return http::errorResponse(scope.error());
  if (auto ok = store_.deleteSecrets(scope->forge, scope->scope, scope->key); !ok)
    return http::errorResponse(ok.error());
  onChanged_();
  return jsonReply({{"status", "deleted"}});
}

http::Response SecretsApi::rotateKey(const http::Request&) const {
  if (!rotateKey_)
    return http::errorResponse(core::Error::unavailable("key_rotation_unavailable", "key rotation is not set up", 0));
  auto rotated = rotateKey_();
  if (!rotated) return http::errorResponse(rotated.error());
  return jsonReply({{"key_id", rotated->keyId}, {"resealed", rotated->resealed}});
}

}  // namespace forgehook::api
