#pragma once
// HMAC and constant-time comparison on OpenSSL. Thread-safe: no shared state.
#include <cstddef>
#include <string>
#include <string_view>

namespace forgehook::verify {

// Lower-case hex of HMAC-SHA256(key, data) / HMAC-SHA1(key, data).
[[nodiscard]] std::string hmacSha256Hex(std::string_view key, std::string_view data);
[[nodiscard]] std::string hmacSha1Hex(std::string_view key, std::string_view data);
// Raw 32-byte HMAC-SHA256.
[[nodiscard]] std::string hmacSha256Raw(std::string_view key, std::string_view data);

// Lower-cased copy of a received hex digest when it is exactly `digits` hex digits (either case),
// else an empty string, so it compares byte for byte with hmacSha256Hex/hmacSha1Hex.
[[nodiscard]] std::string normalizeHex(std::string_view hex, std::size_t digits);

// True when a and b are equal. Runs in time that depends only on the lengths (CRYPTO_memcmp), so a
// caller comparing a computed MAC with a received one leaks nothing about where they differ.
[[nodiscard]] bool constantTimeEquals(std::string_view a, std::string_view b);

// A fixed-length digest of a secret (token, password) for comparing with constantTimeEquals:
// comparing the plain strings would return early on a length difference and so tell a prober how
// long the secret is.
[[nodiscard]] std::string secretDigest(std::string_view secret);
// constantTimeEquals of the two digests: time independent of the contents and of the lengths.
[[nodiscard]] bool secretEquals(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648, with padding). decode returns false on malformed input.
[[nodiscard]] std::string base64Encode(std::string_view data);
[[nodiscard]] bool base64Decode(std::string_view text, std::string& out);

}  // namespace forgehook::verify
