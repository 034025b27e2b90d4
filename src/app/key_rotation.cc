#include "app/key_rotation.h"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace forgehook::app {

void resealAtStart(const MasterKeys& keys, const std::string& dataDir, store::SecretResealer& resealer,
                   const core::Logger& logger) {
  for (const auto& note : keys.notes) logger.info(note, {{"key_id", keys.current.id}});
  auto resealed = resealer.resealStale();
  if (!resealed && keys.generatedNow && resealed.error().reason == "secret_undecryptable") {
    // The database was sealed under a key file that is gone: a fresh key would only hide that.
    ::unlink(keyFilePath(dataDir).c_str());
    std::string message("the stored secrets were sealed under a master key that is missing: ");
    message.append(resealed.error().message)
        .append(". Restore ")
        .append(keyFilePath(dataDir))
        .append(" from a backup (mode 0600), or set FORGEHOOK_MASTER_KEY to that key");
    throw std::runtime_error(message);
  }
  if (!resealed) {
    std::string message("cannot open the stored secrets with the master key ");
    message.append(keys.current.id).append(": ").append(resealed.error().message);
    if (resealed.error().reason == "secret_undecryptable")
      message.append(
          ". Start forgehook with the master key that sealed them (FORGEHOOK_MASTER_KEY or master.key), or set "
          "it in FORGEHOOK_PREVIOUS_MASTER_KEY beside the new one");
    throw std::runtime_error(message);
  }
  if (keys.rotationPending)
    if (auto done = finishKeyFileRotation(dataDir); !done) throw std::runtime_error(done.error().message);
  logger.info("secrets sealed under the master key", {{"key_id", keys.current.id}, {"resealed", *resealed}});
}

core::Result<api::RotatedKey> KeyRotation::rotate() {
  std::lock_guard lock(mutex_);
  if (keyFromEnvironment_)
    return std::unexpected(core::Error::conflict(
        "master_key_from_environment",
        "the master key comes from FORGEHOOK_MASTER_KEY, so it is rotated by restart: set the current key in "
        "FORGEHOOK_PREVIOUS_MASTER_KEY and a new one (openssl rand -hex 32) in FORGEHOOK_MASTER_KEY, restart "
        "(every secret is resealed at start), then remove FORGEHOOK_PREVIOUS_MASTER_KEY"));
  struct stat st {};
  if (::stat(newKeyFilePath(dataDir_).c_str(), &st) == 0)
    return std::unexpected(
        core::Error::conflict("key_rotation_pending",
                              "an earlier rotation did not finish (master.key.new exists); restart forgehook "
                              "to complete it"));
  const core::SecretKey next = core::generateSecretKey();
  if (auto written = writeKeyFile(newKeyFilePath(dataDir_), next); !written) return std::unexpected(written.error());
  // From here new writes seal under `next` while the old key still opens what is not yet resealed.
  keyring_.rotateTo(next);
  auto resealed = resealer_.resealStale();
  if (!resealed) {
    logger_.error("key rotation: resealing failed; the next start completes it",
                  {{"key_id", next.id}, {"error", resealed.error().message}});
    return std::unexpected(resealed.error());
  }
  if (auto done = finishKeyFileRotation(dataDir_); !done) return std::unexpected(done.error());
  logger_.info("master key rotated", {{"key_id", next.id}, {"resealed", *resealed}});
  return api::RotatedKey{next.id, *resealed};
}

}  // namespace forgehook::app
