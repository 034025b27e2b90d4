#include "pipeline/command_matcher.h"

#include "core/form.h"
#include "rules/rule_set.h"

namespace forgehook::pipeline {

CommandMatcher makeCommandMatcher(const rules::RuleSet& rules) {
  return [&rules](const store::QueuedDelivery& d) {
    std::vector<store::NewCommandRun> runs;
    const std::string payload = core::payloadJson(d.contentType, d.rawBody);
    const rules::DeliveryFacts facts{d.id, d.forge, d.event, d.action, d.repository, d.deliveryId, payload};
    for (auto& invocation : rules.match(facts)) {
      const auto* rule = rules.rule(invocation.rule);
      runs.push_back({std::move(invocation.rule), std::move(invocation.argv), std::move(invocation.env),
                      std::move(invocation.workdir), std::move(invocation.payloadMode), rule ? rule->maxAttempts : 1,
                      std::move(invocation.error)});
    }
    return runs;
  };
}

}  // namespace forgehook::pipeline
