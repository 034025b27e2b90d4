#pragma once
// GitHub's webhook signatures: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(secret, raw body),
// legacy X-Hub-Signature = "sha1=" + hex HMAC-SHA1. Thread-safe.
#include <span>
#include <string>
#include <string_view>

#include "verify/hmac.h"
#include "verify/outcome.h"

namespace forgehook::verify {

// Checks the raw body (as received: for form hooks the still-encoded form body) against each
// accepted secret in order. sha256 is used when its header is non-empty; the sha1 header is
// consulted only when sha256 is absent and allowSha1 is true.
// Returns Match{"sha256"|"sha1", index}; Failure::Missing when no usable header is present,
// Malformed when the header lacks its "sha256="/"sha1=" prefix or is not 64/40 hex digits, Mismatch otherwise.
[[nodiscard]] Outcome verifyGithub(std::string_view signature256Header, std::string_view signature1Header,
                                   std::string_view rawBody, std::span<const std::string> secrets, bool allowSha1,
                                   EqualsFn equals = constantTimeEquals);

// The header value GitHub would send: "sha256=<hex>" (or "sha1=<hex>").
[[nodiscard]] std::string signGithubSha256(std::string_view secret, std::string_view rawBody);
[[nodiscard]] std::string signGithubSha1(std::string_view secret, std::string_view rawBody);

}  // namespace forgehook::verify
