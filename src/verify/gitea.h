#pragma once
// Gitea/Forgejo: X-Gitea-Signature / X-Forgejo-Signature = bare lower-case hex HMAC-SHA256 of the
// JSON payload (for form hooks Gitea signs the JSON, not the encoded form). Thread-safe.
#include <span>
#include <string>
#include <string_view>

#include "verify/hmac.h"
#include "verify/outcome.h"

namespace forgehook::verify {

// Match{"gitea-sha256", index}. Failure::Missing for an empty header (Gitea sends the header even
// without a secret), Malformed when it is not 64 hex digits, Mismatch otherwise.
[[nodiscard]] Outcome verifyGitea(std::string_view signatureHeader, std::string_view jsonPayload,
                                  std::span<const std::string> secrets, EqualsFn equals = constantTimeEquals);

[[nodiscard]] std::string signGitea(std::string_view secret, std::string_view jsonPayload);

}  // namespace forgehook::verify
