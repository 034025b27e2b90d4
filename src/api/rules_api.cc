#include "api/rules_api.h"

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/query_params.h"
#include "core/form.h"
#include "rules/process_runner.h"
#include "rules/rule_set.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

json ruleJson(const core::RuleConfig& r) {
  json when = json::array();
  for (const auto& c : r.when) {
    json condition{{"pointer", c.pointer}};
    if (c.equals) condition["equals"] = *c.equals;
    if (!c.in.empty()) condition["in"] = c.in;
    if (c.matches) condition["matches"] = *c.matches;
    when.push_back(std::move(condition));
  }
  json env = json::object();
  for (const auto& [name, value] : r.env) env[name] = value;
  return json{{"name", r.name},
              {"forge", r.forges},
              {"event", r.events},
              {"action", r.actions},
              {"repository", r.repositories},
              {"branch", r.branches},
              {"tag", r.tags},
              {"when", std::move(when)},
              {"command", r.command},
              {"workdir", r.workdir},
              {"env", std::move(env)},
              {"pass_env", r.passEnv},
              {"payload", r.payload},
              {"timeout_s", r.timeoutS},
              {"concurrency", r.concurrency},
              {"max_attempts", r.maxAttempts},
              {"retry_delay_s", r.retryDelayS},
              {"output_limit_bytes", r.outputLimitBytes}};
}

}  // namespace

http::Response RulesApi::list(const http::Request&) const {
  json out = json::array();
  if (rules_)
    for (const auto& rule : rules_->rules()) out.push_back(ruleJson(rule));
  return jsonReply(json{{"rules", std::move(out)}});
}

http::Response RulesApi::test(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto only = onlyFields(*body, {"delivery"}); !only) return http::errorResponse(only.error());
  const auto it = body->find("delivery");
  if (it == body->end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0)
    return http::errorResponse(invalidArgument("delivery must be a delivery's id (a positive integer)"));
  const std::int64_t id = it->get<std::int64_t>();
  auto delivery = deliveries_.getDelivery(id);
  if (!delivery) return http::errorResponse(delivery.error());
  if (delivery->bodyPrunedAt)
    return http::errorResponse(core::Error::conflict(
        "body_pruned", "delivery " + std::to_string(id) + " cannot be tested: retention pruned its payload"));
  const std::string payload = core::payloadJson(delivery->contentType, delivery->rawBody);
  const rules::DeliveryFacts facts{
      id, delivery->forge, delivery->event, delivery->action, delivery->repository, delivery->deliveryId, payload};
  json verdicts = json::array();
  if (rules_) {
    for (const auto& v : rules_->explain(facts)) {
      json entry{
          {"rule", v.rule}, {"matched", v.matched}, {"reason", v.reason}, {"command", nullptr}, {"error", nullptr}};
      if (v.matched && v.invocation) {
        const auto& inv = *v.invocation;
        const auto* rule = rules_->rule(v.rule);
        // What a first attempt gets: forgehook's variables (the run's id is known once queued), then
        // the rule's env, which wins, as rules::commandEnvironment() does when it runs.
        json env = json::object();
        const rules::RunFacts run{delivery->deliveryId,
                                  id,
                                  delivery->forge,
                                  delivery->event,
                                  delivery->action,
                                  delivery->repository,
                                  v.rule,
                                  std::nullopt,
                                  1,
                                  false,
                                  inv.payloadMode == "file" ? "<a file written for the run, removed after it>" : ""};
        for (const auto& [name, value] : rules::runVariables(run)) env[name] = value;
        for (const auto& [name, value] : inv.env) env[name] = value;
        entry["command"] = json{{"argv", inv.argv},
                                {"env", std::move(env)},
                                {"pass_env", rule ? rule->passEnv : std::vector<std::string>{}},
                                {"workdir", inv.workdir.empty() ? defaultWorkdir_ : inv.workdir},
                                {"payload", inv.payloadMode}};
        if (!inv.error.empty()) entry["error"] = inv.error;
      }
      verdicts.push_back(std::move(entry));
    }
  }
  return jsonReply(json{{"delivery",
                         {{"id", id},
                          {"forge", delivery->forge},
                          {"event", delivery->event},
                          {"action", delivery->action},
                          {"repository", delivery->repository},
                          {"delivery_id", delivery->deliveryId}}},
                        {"rules", std::move(verdicts)}});
}

}  // namespace forgehook::api
