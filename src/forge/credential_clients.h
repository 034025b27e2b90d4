#pragma once
// The ClientSource of a running forgehook: one client per forge, built from the credential stored
// for it (store::ConnectionStore) and kept while the credential is unchanged, so every caller of
// one credential shares its client and with it its rate-limit budget. Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "forge/client_factory.h"
#include "forge/client_source.h"
#include "store/connection_store.h"

namespace forgehook::forge {

// The client factory's credential for a stored one.
[[nodiscard]] ForgeCredential credentialFromRecord(const store::ForgeCredentialRecord& record);

class CredentialClients final : public ClientSource {
 public:
  using Factory = std::function<core::Result<std::shared_ptr<ForgeClient>>(const store::ForgeCredentialRecord&)>;

  CredentialClients(store::ConnectionStore& store, Factory factory) : store_(store), factory_(std::move(factory)) {}

  core::Result<std::shared_ptr<ForgeClient>> clientFor(const std::string& forge) override;
  // Drops the built clients: the next call reads the credentials again.
  void credentialsChanged();
  // The budgets of the clients built so far.
  [[nodiscard]] std::vector<RateBudgetView> budgets() const;

 private:
  store::ConnectionStore& store_;
  Factory factory_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ForgeClient>> clients_;
};

}  // namespace forgehook::forge
