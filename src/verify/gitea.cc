#include "verify/gitea.h"

namespace forgehook::verify {
namespace {

constexpr std::size_t kHexDigits = 64;

}  // namespace

Outcome verifyGitea(std::string_view signatureHeader, std::string_view jsonPayload,
                    std::span<const std::string> secrets, EqualsFn equals) {
  if (signatureHeader.empty()) return std::unexpected(Failure::Missing);
  const std::string received = normalizeHex(signatureHeader, kHexDigits);
  if (received.empty()) return std::unexpected(Failure::Malformed);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (equals(received, hmacSha256Hex(secrets[i], jsonPayload))) return Match{"gitea-sha256", i};
  }
  return std::unexpected(Failure::Mismatch);
}

std::string signGitea(std::string_view secret, std::string_view jsonPayload) {
  return hmacSha256Hex(secret, jsonPayload);
}

}  // namespace forgehook::verify
