#pragma once
// Which secrets may sign a delivery: those stored for the GitHub App whose webhook sent it, else
// those stored for its hook, else those stored for its repository, else the forge's configured ones. The first scope that has secrets decides; later
// scopes are not tried, so a hook with its own secret cannot be signed with the global one.
// Thread-safe: lookups share a lock that replaceStored() takes exclusively.
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "store/delivery.h"

namespace forgehook::ingest {

using SecretList = std::shared_ptr<const std::vector<std::string>>;

class SecretResolver {
 public:
  // configured: forge ("github", "gitlab", "gitea") -> accepted secrets, current first.
  explicit SecretResolver(std::map<std::string, std::vector<std::string>> configured);

  // Replaces every stored (hook/repository) secret, e.g. after the admin API changed one.
  void replaceStored(const std::vector<store::ScopedSecrets>& stored);

  // Secrets stored for this GitHub App's own webhook (scope "app", key the App's id); null when none.
  [[nodiscard]] SecretList forApp(const std::string& forge, const std::string& appId) const;
  // Secrets stored for this hook; null when none.
  [[nodiscard]] SecretList forHook(const std::string& forge, const std::string& hookId) const;
  // Secrets stored for this repository ("owner/name"); null when none.
  [[nodiscard]] SecretList forRepository(const std::string& forge, const std::string& repository) const;
  // Whether any repository of this forge has stored secrets (else the body need not be read first).
  [[nodiscard]] bool hasRepositorySecrets(const std::string& forge) const;
  // The configured secrets; an empty list when the forge has none.
  [[nodiscard]] SecretList configured(const std::string& forge) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // forge, scope, key
  std::map<std::string, SecretList> configured_;
  mutable std::shared_mutex mutex_;
  std::map<Key, SecretList> stored_;
  std::map<std::string, int> repositoryScopes_;  // forge -> number of repository entries
};

}  // namespace forgehook::ingest
