#pragma once
// One mutex per connection id, made on first use and kept (connections are few): serializes the
// work of one component on one connection (two reconciliations of one hook, say) while different
// connections proceed side by side. Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace forgehook::forge {

class KeyedLocks {
 public:
  [[nodiscard]] std::mutex& operator[](std::int64_t id) {
    std::lock_guard guard(mutex_);
    auto& slot = locks_[id];
    if (!slot) slot = std::make_unique<std::mutex>();
    return *slot;
  }

 private:
  std::mutex mutex_;
  std::map<std::int64_t, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace forgehook::forge
