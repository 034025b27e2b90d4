#pragma once
// Dashboard sign-in sessions: a browser presents a session id in a cookie instead of a token. Only
// the SHA-256 of the id is stored, with who signed in (the admin token or a read-only API token),
// a CSRF token and an expiry; a session of a revoked API token no longer authenticates. Sessions
// live in the database, so they survive a restart. Implementations are thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::store {

struct SessionRecord {
  bool admin = false;
  std::int64_t tokenId = 0;      // a read-only session: the API token it was opened with
  std::string tokenName;         // a read-only session: that token's name
  std::string credentialSha256;  // an admin session: the SHA-256 of the admin token it was opened with
  std::string csrfToken;         // must accompany every change the session makes
  std::int64_t createdAt = 0;    // Unix seconds
  std::int64_t expiresAt = 0;    // Unix seconds
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Stores a session under the SHA-256 (hex) of its id, and forgets sessions expired at
  // `nowSeconds`. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<void> createSession(std::string_view idSha256, const SessionRecord& session,
                                                         std::int64_t nowSeconds) = 0;
  // The session stored under `idSha256` when it has not expired at `nowSeconds` and, for a
  // read-only session, its API token is not revoked; nothing otherwise. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::optional<SessionRecord>> findSession(std::string_view idSha256,
                                                                               std::int64_t nowSeconds) = 0;
  // Ends the session; ending an unknown one changes nothing. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<void> deleteSession(std::string_view idSha256) = 0;
};

}  // namespace forgehook::store
