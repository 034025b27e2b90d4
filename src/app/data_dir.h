#pragma once
// The data directory: created on first start, holding the store, the generated secrets (mode
// 0600) and the address file that tells tools which port was bound.
#include <string>

namespace forgehook::app {

struct GeneratedSecret {
  std::string value;
  std::string path;
  bool createdNow = false;
};

// Creates `dir` (mode 0700) if missing. Throws std::runtime_error on failure.
void ensureDataDir(const std::string& dir);

// Creates `<dir>/command-payloads` (mode 0700), where commands with payload = "file" find theirs,
// and removes files a crash left there. Returns its path. Throws std::runtime_error on failure.
[[nodiscard]] std::string ensureCommandPayloadDir(const std::string& dir);

// Reads `<dir>/<name>`, or creates it with a fresh random value, mode 0600, when it does not exist.
// Throws std::runtime_error when it can be neither read nor created.
[[nodiscard]] GeneratedSecret loadOrCreateSecret(const std::string& dir, const std::string& name);

// Writes `<dir>/forgehook.addr` atomically (write, then rename).
void writeAddressFile(const std::string& dir, const std::string& address);
void removeAddressFile(const std::string& dir);

}  // namespace forgehook::app
