#include "verify/gitea.h"

namespace forgehook::verify {
namespace {

constexpr std::size_t kHexDigits = 64;

// Lower-cased copy of `hex` when it is exactly 64 hex digits, else empty.
std::string normalizeHex(std::string_view hex) {
  if (hex.size() != kHexDigits) return {};
  std::string out;
  out.reserve(hex.size());
  for (const char c : hex) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'F') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      return {};
    }
  }
  return out;
}

}  // namespace

Outcome verifyGitea(std::string_view signatureHeader, std::string_view jsonPayload,
                    std::span<const std::string> secrets, EqualsFn equals) {
  if (signatureHeader.empty()) return std::unexpected(Failure::Missing);
  const std::string received = normalizeHex(signatureHeader);
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
