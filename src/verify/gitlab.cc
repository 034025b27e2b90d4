#include "verify/gitlab.h"

namespace forgehook::verify {

Outcome verifyGitlabToken(std::string_view tokenHeader, std::span<const std::string> tokens, EqualsFn equals) {
  if (tokenHeader.empty()) return std::unexpected(Failure::Missing);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (equals(tokenHeader, tokens[i])) return Match{"token", i};
  }
  return std::unexpected(Failure::Mismatch);
}

}  // namespace forgehook::verify
