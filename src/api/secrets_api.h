#pragma once
// /api/v1/secrets: per-hook and per-repository secrets. Values are write-only: no answer contains
// one. After a change the store is re-read into the live resolver through `onChanged`. Also
// POST /api/v1/secrets/rotate-key: a new master key for everything sealed at rest.
// Blocking (store writes). Thread-safe.
#include <cstdint>
#include <functional>
#include <string>

#include "http/request.h"
#include "store/secret_store.h"

namespace forgehook::api {

// What a master key rotation did.
struct RotatedKey {
  std::string keyId;          // the new current key's id
  std::int64_t resealed = 0;  // values sealed again under it
};
using RotateKey = std::function<core::Result<RotatedKey>()>;

class SecretsApi {
 public:
  // `rotateKey` may be empty: rotate-key then answers 503.
  SecretsApi(store::SecretStore& store, std::function<void()> onChanged, RotateKey rotateKey = {})
      : store_(store), onChanged_(std::move(onChanged)), rotateKey_(std::move(rotateKey)) {}
  [[nodiscard]] http::Response list(const http::Request& request) const;
  [[nodiscard]] http::Response put(const http::Request& request) const;
  [[nodiscard]] http::Response remove(const http::Request& request) const;
  // {"key_id": "...", "resealed": N}; errors as KeyRotation::rotate (app/key_rotation.h).
  [[nodiscard]] http::Response rotateKey(const http::Request& request) const;

 private:
  store::SecretStore& store_;
  std::function<void()> onChanged_;
  RotateKey rotateKey_;
};

}  // namespace forgehook::api
