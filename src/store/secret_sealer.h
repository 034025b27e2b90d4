#pragma once
// What a store seals secrets with before writing them and opens them with after reading: every
// stored secret (webhook secrets, subscription secrets, forge tokens and keys) goes through one.
// Implementations are thread-safe. The one implementation is store::Keyring (AES-256-GCM).
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::store {

class SecretSealer {
 public:
  virtual ~SecretSealer() = default;

  // `plain` sealed under the current key: text safe to store ("fh1:<keyid>:..."). Throws
  // std::runtime_error only if the crypto library fails (a broken system).
  [[nodiscard]] virtual std::string seal(std::string_view plain) const = 0;
  // The plain text of a value seal() returned, under the current key or a previous one. Errors:
  // Internal "secret_undecryptable" (no loaded key has its id, tampered, malformed); the message
  // names the key id, never the value.
  [[nodiscard]] virtual core::Result<std::string> open(std::string_view sealed) const = 0;
  // Whether a stored value should be sealed again: it is plain text, or sealed under a key that is
  // not the current one.
  [[nodiscard]] virtual bool needsResealing(std::string_view stored) const = 0;
};

}  // namespace forgehook::store
