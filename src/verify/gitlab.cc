#include "verify/gitlab.h"

namespace forgehook::verify {
namespace {

// Tokens are compared as fixed-length digests: comparing the plain strings would return early on a
// length difference and so tell a prober how long the token is.
constexpr std::string_view kDigestKey = "forgehook gitlab token compare";

}  // namespace

Outcome verifyGitlabToken(std::string_view tokenHeader, std::span<const std::string> tokens, EqualsFn equals) {
  if (tokenHeader.empty()) return std::unexpected(Failure::Missing);
  const std::string received = hmacSha256Raw(kDigestKey, tokenHeader);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (equals(received, hmacSha256Raw(kDigestKey, tokens[i]))) return Match{"token", i};
  }
  return std::unexpected(Failure::Mismatch);
}

}  // namespace forgehook::verify
