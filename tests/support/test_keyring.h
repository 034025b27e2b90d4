#pragma once
// A keyring with a fixed key for tests that open a store: what app/ builds from the master key.
#include "core/secret_box.h"
#include "store/keyring.h"

namespace forgehook::testing {

// The fixed test key (64 hex characters) and a keyring holding only it. Thread-safe.
inline constexpr const char* kTestMasterKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

inline core::SecretKey testKey(const char* hex = kTestMasterKeyHex) { return *core::parseSecretKey(hex); }

inline store::Keyring& testKeyring() {
  static store::Keyring keyring(testKey());
  return keyring;
}

}  // namespace forgehook::testing
