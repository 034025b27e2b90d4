#include "http/address_connections.h"

namespace forgehook::http {

AddressConnections::Lease& AddressConnections::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    address_ = std::move(other.address_);
    other.owner_ = nullptr;
  }
  return *this;
}

void AddressConnections::Lease::release() {
  if (owner_ != nullptr) owner_->release(address_);
  owner_ = nullptr;
}

std::optional<AddressConnections::Lease> AddressConnections::acquire(const std::string& address) {
  if (max_ <= 0) return Lease();
  std::lock_guard lock(mutex_);
  auto& count = open_[address];
  if (count >= max_) return std::nullopt;
  ++count;
  return Lease(this, address);
}

std::int64_t AddressConnections::open(const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

void AddressConnections::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  if (it != open_.end() && --it->second <= 0) open_.erase(it);  // the map holds live addresses only
}

}  // namespace forgehook::http
