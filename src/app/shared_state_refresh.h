#pragma once
// What one node keeps in memory of what any node may change in a shared store (PostgreSQL): the
// stored webhook secrets and the forge credentials. Another node's change reaches this one when a
// delivery no secret verifies (at most once a second) and, at the latest, after `period` (the feed
// listener calls tick()). Thread-safe.
#include <chrono>
#include <functional>
#include <mutex>

namespace forgehook::app {

class SharedStateRefresh {
 public:
  explicit SharedStateRefresh(std::chrono::seconds period) : period_(period) {}

  // What a refresh does; until it is set, refreshes do nothing.
  void setReload(std::function<void()> reload) {
    std::lock_guard lock(mutex_);
    reload_ = std::move(reload);
  }
  // Reloads unless it did less than a second ago; true when it did.
  bool now() { return reloadIfOlder(std::chrono::seconds(1)); }
  // Reloads when the last one is `period` old.
  void tick() { (void)reloadIfOlder(period_); }

 private:
  bool reloadIfOlder(std::chrono::steady_clock::duration age) {
    std::lock_guard lock(mutex_);  // one reload at a time; a caller meanwhile waits for it
    const auto t = std::chrono::steady_clock::now();
    if (!reload_ || t - last_ < age) return false;
    last_ = t;
    reload_();
    return true;
  }
  const std::chrono::seconds period_;
  std::mutex mutex_;
  std::function<void()> reload_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace forgehook::app
