#pragma once
// The runs of [[rules]] commands beyond their list (GET /api/v1/commands, a resource of the
// catalog): one run with its argv, env and output, and running a finished one again. Blocking
// (store reads and writes). Thread-safe.
#include <functional>

#include "core/time.h"
#include "http/request.h"
#include "store/command_run_store.h"

namespace forgehook::rules {
class RuleSet;
}

namespace forgehook::api {

class CommandsApi {
 public:
  // `queued` wakes the command scheduler. `rules` may be null (no rules configured).
  CommandsApi(store::CommandRunStore& runs, const rules::RuleSet* rules, const core::Clock& clock,
              std::function<void()> queued)
      : runs_(runs), rules_(rules), clock_(clock), queued_(std::move(queued)) {}

  // GET /api/v1/commands/{id} → the run, with argv, env, workdir, payload and output.
  [[nodiscard]] http::Response show(const http::Request& request) const;
  // POST /api/v1/commands/{id}/rerun → 202 the run, queued again with the rule's attempts.
  // Errors: 404; 409 command_not_finished while it is queued, retrying or running.
  [[nodiscard]] http::Response rerun(const http::Request& request) const;

 private:
  store::CommandRunStore& runs_;
  const rules::RuleSet* rules_;
  const core::Clock& clock_;
  std::function<void()> queued_;
};

}  // namespace forgehook::api
