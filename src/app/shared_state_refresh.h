#pragma once
// What one node keeps in memory of what any node may change in a shared store (PostgreSQL): the
// stored webhook secrets and the forge credentials. Another node's change reaches this one when a
// delivery no secret verifies (a reload at most once a second; a delivery checked before a reload
// that happened meanwhile is checked again without another) and, at the latest, after `period`
// (the feed listener calls tick()). Thread-safe.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "ingest/secret_refresh.h"

namespace forgehook::app {

class SharedStateRefresh final : public ingest::SecretRefresh {
 public:
  explicit SharedStateRefresh(std::chrono::seconds period) : period_(period) {}

  // What a refresh does; until it is set, refreshes do nothing.
  void setReload(std::function<void()> reload) {
    std::lock_guard lock(mutex_);
    reload_ = std::move(reload);
  }
  std::uint64_t generation() const override {
    std::lock_guard lock(mutex_);
    return generation_;
  }
  bool reloadedSince(std::uint64_t seen) override {
    std::lock_guard lock(mutex_);  // one reload at a time; a caller meanwhile waits for it
    if (generation_ != seen) return true;
    return reloadIfOlder(std::chrono::seconds(1));
  }
  // Reloads when the last one is `period` old.
  void tick() {
    std::lock_guard lock(mutex_);
    (void)reloadIfOlder(period_);
  }

 private:
  bool reloadIfOlder(std::chrono::steady_clock::duration age) {
    const auto t = std::chrono::steady_clock::now();
    if (!reload_ || t - last_ < age) return false;
    last_ = t;
    reload_();
    ++generation_;
    return true;
  }
  const std::chrono::seconds period_;
  mutable std::mutex mutex_;
  std::function<void()> reload_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t generation_ = 0;
};

}  // namespace forgehook::app
