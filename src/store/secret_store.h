#pragma once
// Webhook secrets stored for one hook or one repository (they take precedence over configured
// ones). Implementations are thread-safe.
#include <string>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"

namespace forgehook::store {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Every stored scope, ordered by forge, scope, key. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::vector<ScopedSecrets>> loadSecrets() = 0;
  // Replaces the secrets of one scope. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<void> putSecrets(const ScopedSecrets& secrets) = 0;
  // Errors: NotFound when nothing was stored for that scope; Unavailable.
  [[nodiscard]] virtual core::Result<void> deleteSecrets(const std::string& forge, const std::string& scope,
                                                         const std::string& key) = 0;
};

}  // namespace forgehook::store
