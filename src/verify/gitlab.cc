#include "verify/gitlab.h"

#include "verify/hmac.h"

namespace forgehook::verify {

Outcome verifyGitlabToken(std::string_view tokenHeader, std::span<const std::string> tokens, EqualsFn equals) {
  if (tokenHeader.empty()) return std::unexpected(Failure::Missing);
  // Compared as fixed-length digests (secretDigest), so a mismatch tells nothing of the length.
  const std::string received = secretDigest(tokenHeader);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (equals(received, secretDigest(tokens[i]))) return Match{"token", i};
  }
  return std::unexpected(Failure::Mismatch);
}

}  // namespace forgehook::verify
