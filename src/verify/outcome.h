#pragma once
// What a signature check concludes. verify/ depends on nothing else of forgehook: callers map a
// Failure to their own error (ingest maps it to 401 with a reason code).
#include <cstddef>
#include <expected>
#include <string_view>

namespace forgehook::verify {

enum class Failure {
  Missing,    // no signature/token header (or an empty one, as Gitea sends without a secret)
  Mismatch,   // present, but matches none of the accepted secrets
  Malformed,  // present but not of the scheme's form (bad prefix, bad hex/base64)
  Stale,      // Standard Webhooks timestamp outside the tolerance
};

// Which scheme matched and which accepted secret (index into the caller's list) did.
struct Match {
  std::string_view scheme;  // "sha256", "sha1", "token", "standard-webhooks", "gitea-sha256"
  std::size_t secretIndex = 0;
};

using Outcome = std::expected<Match, Failure>;

// Equality used for every secret-derived comparison. Production code uses constantTimeEquals; tests
// inject a spy to prove the comparison goes through it.
using EqualsFn = bool (*)(std::string_view, std::string_view);

}  // namespace forgehook::verify
