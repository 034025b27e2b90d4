#pragma once
// The master key every stored secret is sealed with, and where it comes from: FORGEHOOK_MASTER_KEY
// (with FORGEHOOK_PREVIOUS_MASTER_KEY while rotating by restart), or else `<data_dir>/master.key`,
// generated on first start with mode 0600. A rotation writes `master.key.new` first and renames it
// over master.key once everything is resealed, so a crash at any point leaves both files to load.
// Start-up only, except writeKeyFile and finishKeyFileRotation, which key rotation also uses.
#include <optional>
#include <string>
#include <vector>

#include "core/secret_box.h"

namespace forgehook::app {

inline constexpr const char* kMasterKeyEnv = "FORGEHOOK_MASTER_KEY";
inline constexpr const char* kPreviousMasterKeyEnv = "FORGEHOOK_PREVIOUS_MASTER_KEY";

struct MasterKeys {
  core::SecretKey current;
  std::vector<core::SecretKey> previous;  // still open old values until they are resealed
  bool fromEnvironment = false;           // FORGEHOOK_MASTER_KEY: rotate by restart, not by the API
  bool rotationPending = false;           // master.key.new is current: rename it once resealed
  bool generatedNow = false;              // master.key was created by this start
  std::vector<std::string> notes;         // what loading did, for the log (never a key)
};

// The environment's key texts; nullopt when a variable is unset.
struct MasterKeyEnvironment {
  std::optional<std::string> master = {}, previous = {};
  [[nodiscard]] static MasterKeyEnvironment fromProcess();
};

// Loads the keys from `env`, else from the key files in `dataDir` (creating master.key when no key
// exists yet). With an environment key, key files still present are loaded as previous keys, so a
// switch from file to environment reseals by restart. Throws std::runtime_error with what the
// operator should do: a malformed key, PREVIOUS without MASTER, a key file group or others may
// access.
[[nodiscard]] MasterKeys loadMasterKeys(const std::string& dataDir, const MasterKeyEnvironment& env);

[[nodiscard]] std::string keyFilePath(const std::string& dataDir);     // <dataDir>/master.key
[[nodiscard]] std::string newKeyFilePath(const std::string& dataDir);  // <dataDir>/master.key.new

// Creates `path` (O_EXCL, mode 0600) holding the key as hex, fsyncs it and its directory. Errors:
// Internal "master_key_unwritable" (the file exists, the disk is full...).
[[nodiscard]] core::Result<void> writeKeyFile(const std::string& path, const core::SecretKey& key);
// Renames master.key.new over master.key and fsyncs the directory. Errors: Internal.
[[nodiscard]] core::Result<void> finishKeyFileRotation(const std::string& dataDir);

}  // namespace forgehook::app
