#pragma once
// /api/v1/secrets: per-hook and per-repository secrets. Values are write-only: no answer contains
// one. After a change the store is re-read into the live resolver through `onChanged`.
// Blocking (store writes). Thread-safe.
#include <functional>

#include "http/request.h"
#include "store/secret_store.h"

namespace forgehook::api {

class SecretsApi {
 public:
  SecretsApi(store::SecretStore& store, std::function<void()> onChanged)
      : store_(store), onChanged_(std::move(onChanged)) {}
  [[nodiscard]] http::Response list(const http::Request& request) const;
  [[nodiscard]] http::Response put(const http::Request& request) const;
  [[nodiscard]] http::Response remove(const http::Request& request) const;

 private:
  store::SecretStore& store_;
  std::function<void()> onChanged_;
};

}  // namespace forgehook::api
