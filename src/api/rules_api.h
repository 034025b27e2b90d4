#pragma once
// The configured [[rules]] over HTTP: what they are, and a dry run of them against a stored
// delivery (which match, why the others do not, and the exact argv and environment a run would
// get). Nothing runs. Blocking (a store read). Thread-safe.
#include <string>

#include "http/request.h"
#include "store/delivery_log.h"

namespace forgehook::rules {
class RuleSet;
}

namespace forgehook::api {

class RulesApi {
 public:
  // `rules` may be null (no rules configured). `defaultWorkdir`: where a rule without workdir runs.
  RulesApi(const rules::RuleSet* rules, store::DeliveryLog& deliveries, std::string defaultWorkdir)
      : rules_(rules), deliveries_(deliveries), defaultWorkdir_(std::move(defaultWorkdir)) {}

  // GET /api/v1/rules → {"rules": [...]}, each as configured (pass_env by name only).
  [[nodiscard]] http::Response list(const http::Request& request) const;
  // POST /api/v1/rules/test {"delivery": ID} → {"delivery": {...}, "rules": [{"rule", "matched",
  // "reason", "command": {"argv", "env", "pass_env", "workdir", "payload"} | null, "error"}]}.
  // Errors: 400 for a bad body; 404 for an unknown delivery; 409 body_pruned.
  [[nodiscard]] http::Response test(const http::Request& request) const;

 private:
  const rules::RuleSet* rules_;
  store::DeliveryLog& deliveries_;
  std::string defaultWorkdir_;
};

}  // namespace forgehook::api
