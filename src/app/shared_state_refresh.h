#pragma once
// What one node keeps in memory of what any node may change in a shared store (PostgreSQL): the
// stored webhook secrets and the forge credentials. Another node's secret reaches this one when a
// delivery no secret verifies (a reload of the secrets at most once a second; a delivery checked
// before a reload that happened meanwhile is checked again without another) and, at the latest,
// after `period` (the feed listener calls tick(), which also looks at the credentials). Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "ingest/secret_refresh.h"

namespace forgehook::app {

class SharedStateRefresh final : public ingest::SecretRefresh {
 public:
  explicit SharedStateRefresh(std::chrono::seconds period) : period_(period) {}

  // What a refresh does: `secrets` reloads the stored secrets; `credentials` rebuilds the forge
  // clients when the stored credentials changed (only tick() calls it). Until set, nothing.
  void setReload(std::function<void()> secrets, std::function<void()> credentials) {
    std::lock_guard lock(mutex_);
    secrets_ = std::move(secrets);
    credentials_ = std::move(credentials);
  }
  std::uint64_t generation() const override { return generation_.load(); }
  bool reloadedSince(std::uint64_t seen) override {
    std::lock_guard lock(mutex_);  // one reload at a time; a caller meanwhile waits for it
    if (generation_.load() != seen) return true;
    return reloadIfOlder(std::chrono::seconds(1));
  }
  // Reloads when the last one is `period` old.
  void tick() {
    std::lock_guard lock(mutex_);
    if (reloadIfOlder(period_) && credentials_) credentials_();
  }

 private:
  bool reloadIfOlder(std::chrono::steady_clock::duration age) {
    const auto t = std::chrono::steady_clock::now();
    if (!secrets_ || t - last_ < age) return false;
    last_ = t;
    secrets_();
    ++generation_;
    return true;
  }
  const std::chrono::seconds period_;
  std::mutex mutex_;
  std::function<void()> secrets_, credentials_;
  std::chrono::steady_clock::time_point last_{};
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace forgehook::app
