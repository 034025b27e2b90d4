#include "store/keyring.h"

#include <algorithm>
#include <mutex>

namespace forgehook::store {

Keyring::Keyring(core::SecretKey current, std::vector<core::SecretKey> previous) : current_(std::move(current)) {
  for (auto& key : previous)
    if (key.id != current_.id) previous_.push_back(std::move(key));
}

std::string Keyring::seal(std::string_view plain) const {
  std::shared_lock lock(mutex_);
  return core::sealWith(current_, plain);
}

core::Result<std::string> Keyring::open(std::string_view sealed) const {
  const auto id = core::sealedKeyId(sealed);
  if (!id) return std::unexpected(core::undecryptable("(none)", "the stored value is not sealed"));
  std::shared_lock lock(mutex_);
  if (*id == current_.id) return core::openWith(current_, sealed);
  const auto key = std::ranges::find(previous_, *id, &core::SecretKey::id);
  if (key == previous_.end())
    return std::unexpected(core::undecryptable(*id, "no loaded master key has that id (is the master key wrong?)"));
  return core::openWith(*key, sealed);
}

bool Keyring::needsResealing(std::string_view stored) const {
  const auto id = core::sealedKeyId(stored);
  std::shared_lock lock(mutex_);
  return !id || *id != current_.id;
}

void Keyring::rotateTo(core::SecretKey next) {
  std::unique_lock lock(mutex_);
  if (next.id == current_.id) return;
  std::erase_if(previous_, [&](const core::SecretKey& k) { return k.id == next.id; });
  previous_.push_back(std::move(current_));
  current_ = std::move(next);
}

std::string Keyring::currentKeyId() const {
  std::shared_lock lock(mutex_);
  return current_.id;
}

}  // namespace forgehook::store
