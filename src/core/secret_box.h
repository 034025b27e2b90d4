#pragma once
// Secrets sealed at rest: AES-256-GCM under a 32-byte key, a fresh 96-bit random nonce per value and
// the key's id bound as additional authenticated data. Sealed text is
// "fh1:<keyid>:<base64(nonce | ciphertext | tag)>", keyid being the first 8 hex characters of
// SHA-256(key), so a value names the key that opens it. Thread-safe: no shared state.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::core {

inline constexpr std::size_t kSecretKeyBytes = 32;

// One AES-256 key and its id. The bytes are secret: never log them; log the id.
struct SecretKey {
  std::array<unsigned char, kSecretKeyBytes> bytes{};
  std::string id;  // first 8 hex characters of SHA-256(bytes)
};

// A key from its text: 64 hex characters or the base64 of 32 bytes (surrounding whitespace is
// ignored). Errors: InvalidArgument "malformed_master_key", whose message never holds the text.
[[nodiscard]] Result<SecretKey> parseSecretKey(std::string_view text);
// A new key from the CSPRNG. Throws std::runtime_error if the CSPRNG fails.
[[nodiscard]] SecretKey generateSecretKey();
// The key as 64 lower-case hex characters, for the key file.
[[nodiscard]] std::string secretKeyHex(const SecretKey& key);

// `plain` sealed under `key` with a fresh nonce. Throws std::runtime_error only if OpenSSL fails
// (a broken system).
[[nodiscard]] std::string sealWith(const SecretKey& key, std::string_view plain);
// The plain text of `sealed`. Requires: sealedKeyId(sealed) == key.id. Errors: Internal
// "secret_undecryptable" when the value is malformed, was tampered with or was sealed under another
// key; the message names the key id, never the value.
[[nodiscard]] Result<std::string> openWith(const SecretKey& key, std::string_view sealed);

// Whether `text` has the sealed format's prefix ("fh1:<8 hex>:"); plain text from before sealing
// never does (stored secrets are JSON arrays or "whsec_" strings).
[[nodiscard]] bool isSealed(std::string_view text);
// The key id a sealed value names; nullopt for plain text.
[[nodiscard]] std::optional<std::string> sealedKeyId(std::string_view text);

// The error for a value no loaded key opens: Internal "secret_undecryptable", naming the key id.
[[nodiscard]] Error undecryptable(std::string_view keyId, std::string_view why);

}  // namespace forgehook::core
