#pragma once
// The master keys secrets are sealed with: the current key, which seals, and previous keys, which
// still open what they sealed until everything is resealed. Lives in store/ rather than core/
// because it implements store::SecretSealer; the crypto is core/secret_box.h. Thread-safe: a key
// rotation may run while requests seal and open.
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/secret_box.h"
#include "store/secret_sealer.h"

namespace forgehook::store {

class Keyring final : public SecretSealer {
 public:
  // Keys in `previous` with the current key's id are ignored.
  explicit Keyring(core::SecretKey current, std::vector<core::SecretKey> previous = {});

  [[nodiscard]] std::string seal(std::string_view plain) const override;
  [[nodiscard]] core::Result<std::string> open(std::string_view sealed) const override;
  [[nodiscard]] bool needsResealing(std::string_view stored) const override;

  // Makes `next` the current key; the current one becomes a previous key, so values it sealed
  // still open.
  void rotateTo(core::SecretKey next);
  [[nodiscard]] std::string currentKeyId() const;

 private:
  mutable std::shared_mutex mutex_;
  core::SecretKey current_;                // guarded by mutex_
  std::vector<core::SecretKey> previous_;  // guarded by mutex_
};

}  // namespace forgehook::store
