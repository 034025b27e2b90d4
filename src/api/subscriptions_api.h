#pragma once
// /api/v1/subscriptions: outbound subscriptions (signed callbacks of the change feed). Create
// answers the signing secret once; no other answer, log or error carries it. Blocking (store
// access). Thread-safe.
#include <functional>

#include "core/time.h"
#include "http/request.h"
#include "store/subscription_store.h"

namespace forgehook::api {

class SubscriptionsApi {
 public:
  // `allowPrivateNetworks`: subscriptions.allow_private_networks (URLs naming such an address are
  // refused when off). `changed` wakes the dispatcher after a change it must act on.
  SubscriptionsApi(store::SubscriptionStore& store, const core::Clock& clock, bool allowPrivateNetworks,
                   std::function<void()> changed)
      : store_(store), clock_(clock), allowPrivate_(allowPrivateNetworks), changed_(std::move(changed)) {}

  // POST /api/v1/subscriptions {url, resources?, actions?, repository?, forge?, secret?, description?}
  // -> 201 the subscription and "secret".
  [[nodiscard]] http::Response create(const http::Request& request) const;
  // GET /api/v1/subscriptions -> {"subscriptions": [...]}
  [[nodiscard]] http::Response list(const http::Request& request) const;
  // GET /api/v1/subscriptions/{id}, .../{id}/messages?status=&limit=, .../{id}/attempts?limit=
  [[nodiscard]] http::Response read(const http::Request& request) const;
  // PATCH /api/v1/subscriptions/{id} {url?, resources?, actions?, repository?, forge?, description?}
  [[nodiscard]] http::Response update(const http::Request& request) const;
  // POST /api/v1/subscriptions/{id}/pause, .../resume, .../messages/{message_id}/retry,
  // .../rotate-secret {secret?} (-> the subscription and its new "secret", shown only then)
  [[nodiscard]] http::Response act(const http::Request& request) const;
  // DELETE /api/v1/subscriptions/{id} -> {"deleted": id}
  [[nodiscard]] http::Response remove(const http::Request& request) const;

 private:
  store::SubscriptionStore& store_;
  const core::Clock& clock_;
  bool allowPrivate_;
  std::function<void()> changed_;
};

// A secret given at create: "whsec_" + base64 of 24 to 64 bytes. Errors: invalidArgument.
[[nodiscard]] core::Result<void> checkSubscriptionSecret(std::string_view secret);
// A new secret: "whsec_" + base64 of 32 random bytes.
[[nodiscard]] std::string newSubscriptionSecret();

}  // namespace forgehook::api
