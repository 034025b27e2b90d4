#pragma once
// The JSON Web Token a GitHub App signs to speak as itself (RS256 over its PEM private key), used to
// find installations and mint installation tokens. Thread-safe: pure functions over OpenSSL.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::forge {

// A JWT with iat = now - 60 (clock drift), exp = now + 540 (GitHub allows at most 10 minutes) and
// iss = appId. Errors: InvalidArgument "invalid_app_key" when the PEM is not an RSA private key.
[[nodiscard]] core::Result<std::string> makeAppJwt(const std::string& appId, const std::string& privateKeyPem,
                                                   std::int64_t nowSeconds);

// Success when `privateKeyPem` parses as an RSA private key; InvalidArgument "invalid_app_key" else.
[[nodiscard]] core::Result<void> checkAppPrivateKey(const std::string& privateKeyPem);

// Base64url without padding (RFC 7515 §2).
[[nodiscard]] std::string base64UrlEncode(std::string_view bytes);

}  // namespace forgehook::forge
