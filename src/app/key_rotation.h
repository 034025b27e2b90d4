#pragma once
// Keeping stored secrets under the newest master key: at start (reseal what is plain or under an
// older key, finish a rotation a crash interrupted) and on POST /api/v1/secrets/rotate-key (new key
// in master.key.new, reseal everything, rename it over master.key). Thread-safe: rotations are
// serialized; the server keeps sealing and opening throughout (the keyring holds old and new).
#include <mutex>
#include <string>

#include "api/secrets_api.h"
#include "app/master_key.h"
#include "core/log.h"
#include "store/keyring.h"
#include "store/secret_resealer.h"

namespace forgehook::app {

// Start-up, after the schema migration: reseals every stale value under keys.current, then renames
// a pending master.key.new over master.key; logs how many values it resealed. Throws
// std::runtime_error naming the key id when a stored value opens under no loaded key (a wrong
// master key; a master.key this start generated is removed again, so restoring the lost one is the
// fix), or when the store fails.
void resealAtStart(const MasterKeys& keys, const std::string& dataDir, store::SecretResealer& resealer,
                   const core::Logger& logger);

class KeyRotation {
 public:
  // Requires: `keyring` and `resealer` outlive this object.
  KeyRotation(std::string dataDir, bool keyFromEnvironment, store::Keyring& keyring, store::SecretResealer& resealer,
              const core::Logger& logger)
      : dataDir_(std::move(dataDir)),
        keyFromEnvironment_(keyFromEnvironment),
        keyring_(keyring),
        resealer_(resealer),
        logger_(logger) {}

  // A new random master key, durable in master.key.new before any value is sealed under it; then
  // every value resealed in one transaction, then master.key replaced. Errors: Conflict
  // "master_key_from_environment" (rotate by restart instead), Conflict "key_rotation_pending";
  // Internal (a key file cannot be written: the next start completes the rotation); the
  // resealer's errors.
  [[nodiscard]] core::Result<api::RotatedKey> rotate();

 private:
  std::mutex mutex_;  // one rotation at a time
  std::string dataDir_;
  bool keyFromEnvironment_;
  store::Keyring& keyring_;
  store::SecretResealer& resealer_;
  const core::Logger& logger_;
};

}  // namespace forgehook::app
