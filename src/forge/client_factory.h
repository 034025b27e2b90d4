#pragma once
// Makes the ForgeClient for a configured forge credential: the composition point of the forge
// module (transport, budgets, authorisation, per-forge client). Thread-safe: pure functions.
#include <memory>
#include <string>

#include "core/error.h"
#include "core/forge.h"
#include "core/time.h"
#include "forge/client_options.h"
#include "forge/forge_client.h"
#include "forge/forge_http.h"

namespace forgehook::forge {

struct ForgeCredential {
  core::Forge forge = core::Forge::GitHub;
  // The REST API base: "https://api.github.com", "https://ghe.example/api/v3",
  // "https://gitlab.example" (/api/v4 added when missing), "https://gitea.example" (/api/v1 likewise).
  std::string apiUrl;
  enum class Kind { Token, App } kind = Kind::Token;
  std::string token;             // Kind::Token: the personal/project/access token
  std::string appId;             // Kind::App (GitHub only): the App ID or client ID
  std::string appPrivateKeyPem;  // Kind::App: the App's PEM private key
};

// Success when `credential` can be used: apiUrl is http(s)://host..., a token is given for Kind::Token,
// and for Kind::App the forge is GitHub, appId is set and the key parses as an RSA PEM private key.
// Errors: InvalidArgument "invalid_forge_credential" (or "invalid_app_key") with what to fix; the
// message never holds the token or the key.
[[nodiscard]] core::Result<void> validateForgeCredential(const ForgeCredential& credential);

// The client for `credential`. Requires: validateForgeCredential(credential) succeeded, `http`
// non-null, `clock` outlives the client. Budgets come from options.budgets when set (share one
// registry per process so every client of a credential spends one budget).
[[nodiscard]] std::unique_ptr<ForgeClient> makeForgeClient(const ForgeCredential& credential,
                                                           std::shared_ptr<ForgeHttp> http, const core::Clock& clock,
                                                           ClientOptions options);

}  // namespace forgehook::forge
