#pragma once
// Encrypts secrets before they are stored and decrypts them when read (AES-256-GCM under the
// master key, see core/secret_box.h). Store implementations take one so every stored secret
// (hook secrets, forge tokens, the GitHub App key, subscription secrets) is sealed at rest.
// Thread-safe.
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::store {

class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  // The sealed text of `plain`, safe to store.
  [[nodiscard]] virtual std::string seal(std::string_view plain) const = 0;
  // The plain text back. Errors: Internal "secret_undecryptable" (wrong key, tampered value).
  [[nodiscard]] virtual core::Result<std::string> open(std::string_view sealed) const = 0;
};

}  // namespace forgehook::store
