#include "api/commands_api.h"

#include <nlohmann/json.hpp>

#include "api/command_json.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "rules/rule_set.h"

namespace forgehook::api {

http::Response CommandsApi::show(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/commands/");
  if (!id) return http::errorResponse(core::Error::notFound("no command run at " + request.path));
  auto run = runs_.get(*id);
  if (!run) return http::errorResponse(run.error());
  return jsonReply(commandRunJson(*run));
}

http::Response CommandsApi::rerun(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/commands/", "/rerun");
  if (!id) return http::errorResponse(core::Error::notFound("no command run at " + request.path));
  auto current = runs_.get(*id);
  if (!current) return http::errorResponse(current.error());
  const auto* rule = rules_ ? rules_->rule(current->rule) : nullptr;
  if (!rule)
    return http::errorResponse(core::Error::conflict(
        "rule_not_configured", "rule " + current->rule + " is no longer in the configuration: nothing to run"));
  auto run = runs_.rerun(*id, rule->maxAttempts, clock_.nowMicros());
  if (!run) return http::errorResponse(run.error());
  if (queued_) queued_();
  return jsonReply(commandRunJson(*run), 202);
}

}  // namespace forgehook::api
