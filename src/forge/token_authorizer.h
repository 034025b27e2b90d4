#pragma once
// The Authorizer of a plain token: the same header and budget for every target. Thread-safe:
// immutable after construction.
#include <memory>
#include <string>
#include <vector>

#include "forge/authorizer.h"

namespace forgehook::forge {

// A fixed token sent in one header (GitHub "Authorization: Bearer t", GitLab "PRIVATE-TOKEN: t",
// Gitea "Authorization: token t").
class TokenAuthorizer final : public Authorizer {
 public:
  TokenAuthorizer(std::string headerName, std::string headerValue, std::shared_ptr<RateBudget> budget)
      : headerName_(std::move(headerName)), headerValue_(std::move(headerValue)), budget_(std::move(budget)) {}

  [[nodiscard]] core::Result<Authorization> authorize(const HookTarget&) override {
    return Authorization{{{headerName_, headerValue_}}, budget_, "token", false};
  }
  [[nodiscard]] std::vector<RateBudgetView> budgets() const override { return {budget_->view()}; }

 private:
  std::string headerName_;
  std::string headerValue_;
  std::shared_ptr<RateBudget> budget_;
};

}  // namespace forgehook::forge
