#pragma once
// Read-only API tokens: created with a name, shown once, stored only as the SHA-256 of their text,
// listed without it, revoked by id. A token authenticates reads of the admin API; what it may do
// is the API's business (api/admin_auth.h), not the store's. Implementations are thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace forgehook::store {

// What is known of a token; never its text or its hash. Times in Unix seconds.
struct TokenInfo {
  std::int64_t id = 0;
  std::string name;
  std::int64_t createdAt = 0;
  std::optional<std::int64_t> lastUsedAt;  // updated at most once a minute (see authenticate)
  std::optional<std::int64_t> revokedAt;
};

// A token just created: its text, which nothing can show again.
struct CreatedToken {
  TokenInfo info;
  std::string secret;  // kTokenPrefix + 64 hex digits (32 random bytes)
};

// Every token's text starts with this, so a token is recognizable in a config file or a leak scan.
inline constexpr std::string_view kTokenPrefix = "fht_";

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Creates a token named `name` (names need not be unique) at `nowSeconds`. Requires: `name` is
  // not empty. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<CreatedToken> createToken(const std::string& name, std::int64_t nowSeconds) = 0;
  // Every token, revoked ones included, by id. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<TokenInfo>> listTokens() = 0;
  // Revokes the token `id` at `nowSeconds`; revoking a revoked token again changes nothing.
  // Errors: NotFound when no token has that id; Unavailable.
  [[nodiscard]] virtual core::Result<void> revokeToken(std::int64_t id, std::int64_t nowSeconds) = 0;
  // The token whose text is `secret`, when it exists and is not revoked; nothing otherwise. Looks
  // the token up by the SHA-256 of `secret`, and sets its last_used_at to `nowSeconds` when that is
  // a minute or more old, so a busy token costs one indexed read per request and one write a
  // minute. Errors: Unavailable (a failed last_used_at write is not one: it is retried next time).
  [[nodiscard]] virtual core::Result<std::optional<TokenInfo>> authenticate(std::string_view secret,
                                                                            std::int64_t nowSeconds) = 0;
};

}  // namespace forgehook::store
