#include "ingest/secret_resolver.h"

#include <cctype>

#include <mutex>

namespace forgehook::ingest {
namespace {

// Forges compare owner/name case-insensitively, so a secret stored for codertocat/hello-world
// applies to deliveries from Codertocat/Hello-World.
std::string lowered(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

SecretResolver::SecretResolver(std::map<std::string, std::vector<std::string>> configured) {
  for (auto& [forge, secrets] : configured)
    configured_[forge] = std::make_shared<const std::vector<std::string>>(std::move(secrets));
}

void SecretResolver::replaceStored(const std::vector<store::ScopedSecrets>& stored) {
  std::map<Key, SecretList> next;
  std::map<std::string, int> repositories;
  for (const auto& s : stored) {
    if (s.secrets.empty()) continue;
    next[{s.forge, s.scope, s.scope == "repository" ? lowered(s.key) : s.key}] =
        std::make_shared<const std::vector<std::string>>(s.secrets);
    if (s.scope == "repository") ++repositories[s.forge];
  }
  std::unique_lock lock(mutex_);
  stored_.swap(next);
  repositoryScopes_.swap(repositories);
}

SecretList SecretResolver::forApp(const std::string& forge, const std::string& appId) const {
  if (appId.empty()) return nullptr;
  std::shared_lock lock(mutex_);
  const auto it = stored_.find({forge, "app", appId});
  return it == stored_.end() ? nullptr : it->second;
}

SecretList SecretResolver::forHook(const std::string& forge, const std::string& hookId) const {
  if (hookId.empty()) return nullptr;
  std::shared_lock lock(mutex_);
  const auto it = stored_.find({forge, "hook", hookId});
  return it == stored_.end() ? nullptr : it->second;
}

SecretList SecretResolver::forRepository(const std::string& forge, const std::string& repository) const {
  if (repository.empty()) return nullptr;
  std::shared_lock lock(mutex_);
  const auto it = stored_.find({forge, "repository", lowered(repository)});
  return it == stored_.end() ? nullptr : it->second;
}

bool SecretResolver::hasRepositorySecrets(const std::string& forge) const {
  std::shared_lock lock(mutex_);
  const auto it = repositoryScopes_.find(forge);
  return it != repositoryScopes_.end() && it->second > 0;
}

SecretList SecretResolver::configured(const std::string& forge) const {
  static const SecretList kNone = std::make_shared<const std::vector<std::string>>();
  const auto it = configured_.find(forge);
  return it == configured_.end() ? kNone : it->second;
}

}  // namespace forgehook::ingest
