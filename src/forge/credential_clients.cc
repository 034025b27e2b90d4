#include "forge/credential_clients.h"

namespace forgehook::forge {

ForgeCredential credentialFromRecord(const store::ForgeCredentialRecord& r) {
  ForgeCredential c;
  c.forge = core::parseForge(r.forge).value_or(core::Forge::GitHub);
  c.apiUrl = r.apiUrl;
  c.kind = r.kind == "app" ? ForgeCredential::Kind::App : ForgeCredential::Kind::Token;
  c.token = r.token.value_or("");
  c.appId = r.appId.value_or("");
  c.appPrivateKeyPem = r.appPrivateKey.value_or("");
  return c;
}

core::Result<std::shared_ptr<ForgeClient>> CredentialClients::clientFor(const std::string& forge) {
  {
    std::lock_guard guard(mutex_);
    if (const auto it = clients_.find(forge); it != clients_.end()) return it->second;
  }
  auto credential = store_.getCredential(forge);
  if (!credential) return std::unexpected(credential.error());
  if (!*credential) {
    core::Error error = core::Error::notFound("no credential is stored for " + forge);
    error.reason = "no_credential";
    return std::unexpected(error);
  }
  auto client = factory_(**credential);
  if (!client) return std::unexpected(client.error());
  std::lock_guard guard(mutex_);
  // Another thread may have built one meanwhile: keep the first, so the budget is one.
  return clients_.try_emplace(forge, *client).first->second;
}

void CredentialClients::credentialsChanged() {
  std::lock_guard guard(mutex_);
  clients_.clear();
}

std::vector<RateBudgetView> CredentialClients::budgets() const {
  std::vector<RateBudgetView> out;
  std::lock_guard guard(mutex_);
  for (const auto& [forge, client] : clients_)
    for (auto& budget : client->budgets()) out.push_back(std::move(budget));
  return out;
}

}  // namespace forgehook::forge
