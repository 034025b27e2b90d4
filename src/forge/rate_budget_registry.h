#pragma once
// The rate budgets of a process, one per credential, so clients made separately for the same
// credential (the reconciler's, the poller's, the hook manager's) spend and wait on one budget.
// Thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "forge/rate_budget.h"

namespace forgehook::forge {

class RateBudgetRegistry {
 public:
  // Requires: `clock` outlives the registry and every budget it hands out.
  RateBudgetRegistry(const core::Clock& clock, Sleeper sleeper) : clock_(clock), sleeper_(std::move(sleeper)) {}

  // The budget for `key` (which identifies the credential without holding it, e.g. a digest of the
  // token), made on first use with the given labels.
  [[nodiscard]] std::shared_ptr<RateBudget> budgetFor(const std::string& key, const std::string& forge,
                                                      const std::string& credential) {
    std::lock_guard lock(mutex_);
    auto& budget = budgets_[key];
    if (!budget) budget = std::make_shared<RateBudget>(forge, credential, clock_, sleeper_);
    return budget;
  }

 private:
  const core::Clock& clock_;
  Sleeper sleeper_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<RateBudget>> budgets_;
};

}  // namespace forgehook::forge
