#pragma once
// Who a forge request is made as: the headers that authenticate it and the rate budget it spends.
// A plain token is the same for every target; a GitHub App picks the installation of the target.
// Implementations are thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "forge/forge_client.h"
#include "forge/forge_http.h"
#include "forge/rate_budget.h"

namespace forgehook::forge {

struct Authorization {
  HeaderList headers;                  // secret: never logged, never put into an error
  std::shared_ptr<RateBudget> budget;  // never null
  std::string label;                   // "token" / "GitHub App installation 123"
  bool refreshable = false;            // a 401 may mean expiry: invalidate() and try once more
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Errors: whatever obtaining the credential met (an App's installation lookup, say).
  [[nodiscard]] virtual core::Result<Authorization> authorize(const HookTarget& target) = 0;
  // Forgets a cached credential for `target` after the forge refused it.
  virtual void invalidate(const HookTarget& target) { (void)target; }
  [[nodiscard]] virtual std::vector<RateBudgetView> budgets() const = 0;
};

}  // namespace forgehook::forge
