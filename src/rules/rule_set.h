#pragma once
// Which `[[rules]]` a delivery matches, and the exact command each would run (docs/CONFIG.md,
// "Rules → commands"). A RuleSet is compiled once from the configuration, immutable afterwards and
// safe to use from any number of threads. Matching parses the payload once per call; RE2 and
// simdjson stay inside the .cc files.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/error.h"

namespace forgehook::rules {

// What a rule is matched against.
struct DeliveryFacts {
  std::int64_t id = 0;                                       // forgehook's delivery id
  std::string forge, event, action, repository, deliveryId;  // deliveryId: the forge's GUID
  // The payload as received (JSON; form bodies already decoded to JSON by the caller). Not owned.
  std::string_view rawBody;
};

// What one matched rule would run.
struct Invocation {
  std::string rule;
  std::vector<std::string> argv;  // templates resolved; each template is exactly one element
  // The rule's env, resolved (NOT pass_env values, NOT the FORGEHOOK_* ones).
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;      // resolved ("" = caller's default)
  std::string payloadMode;  // "stdin" | "file" | "none"
  // Non-empty: a template could not be resolved (e.g. "command[2]: /pull_request/title is not in the
  // payload"); argv, env and workdir are then empty and nothing may run.
  std::string error;
};

struct RuleVerdict {
  std::string rule;
  bool matched = false;
  std::string reason;  // "matched", or the first test that failed, e.g. "branch \"dev\" does not match [\"main\"]"
  std::optional<Invocation> invocation;  // when matched
};

class RuleSet {  // immutable after compile, thread-safe
 public:
  // Errors: InvalidArgument (reason "invalid_rule") naming the rule and field: a bad regex, pointer or
  // template ("rules[1] (deploy).command[2]: unknown placeholder {{sha}}").
  [[nodiscard]] static core::Result<RuleSet> compile(const std::vector<core::RuleConfig>& rules);

  // The matched rules only, in configuration order. An Invocation with `error` set still counts as
  // matched: the caller records it as failed and runs nothing.
  [[nodiscard]] std::vector<Invocation> match(const DeliveryFacts& delivery) const;
  // Every rule, with why it did not match (dry run).
  [[nodiscard]] std::vector<RuleVerdict> explain(const DeliveryFacts& delivery) const;

  // The rule named `name`; nullptr when there is none. Valid as long as the RuleSet.
  [[nodiscard]] const core::RuleConfig* rule(std::string_view name) const;
  [[nodiscard]] const std::vector<core::RuleConfig>& rules() const;
  [[nodiscard]] bool empty() const;

  RuleSet();  // no rules; copies share the compiled rules

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace forgehook::rules
