#include "verify/github.h"

namespace forgehook::verify {
namespace {

constexpr std::string_view kSha256Prefix = "sha256=";
constexpr std::string_view kSha1Prefix = "sha1=";

Outcome verifyHex(std::string_view header, std::string_view prefix, std::size_t digits, std::string_view scheme,
                  std::string (*mac)(std::string_view, std::string_view), std::string_view rawBody,
                  std::span<const std::string> secrets, EqualsFn equals) {
  if (!header.starts_with(prefix)) return std::unexpected(Failure::Malformed);
  const std::string received = normalizeHex(header.substr(prefix.size()), digits);
  if (received.empty()) return std::unexpected(Failure::Malformed);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (equals(received, mac(secrets[i], rawBody))) return Match{scheme, i};
  }
  return std::unexpected(Failure::Mismatch);
}

}  // namespace

Outcome verifyGithub(std::string_view signature256Header, std::string_view signature1Header, std::string_view rawBody,
                     std::span<const std::string> secrets, bool allowSha1, EqualsFn equals) {
  if (!signature256Header.empty())
    return verifyHex(signature256Header, kSha256Prefix, 64, "sha256", hmacSha256Hex, rawBody, secrets, equals);
  if (allowSha1 && !signature1Header.empty())
    return verifyHex(signature1Header, kSha1Prefix, 40, "sha1", hmacSha1Hex, rawBody, secrets, equals);
  return std::unexpected(Failure::Missing);
}

std::string signGithubSha256(std::string_view secret, std::string_view rawBody) {
  return std::string(kSha256Prefix) + hmacSha256Hex(secret, rawBody);
}

std::string signGithubSha1(std::string_view secret, std::string_view rawBody) {
  return std::string(kSha1Prefix) + hmacSha1Hex(secret, rawBody);
}

}  // namespace forgehook::verify
