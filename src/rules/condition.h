#pragma once
// A rule's `when` test compiled: its pointer split into tokens, its regex compiled by RE2 (linear time
// on any input). Immutable after compile; thread-safe.
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "core/rule_config.h"
#include "rules/payload.h"

namespace re2 {
class RE2;
}

namespace forgehook::rules {

class Condition {
 public:
  // Errors (a message for people): a bad pointer or regex.
  [[nodiscard]] static std::expected<Condition, std::string> compile(const core::RuleCondition& config);

  // "" when the payload satisfies the condition; else why not, e.g. "/action is \"closed\", not \"opened\"".
  [[nodiscard]] std::string failure(const Payload& payload) const;

 private:
  core::RuleCondition config_;
  std::vector<std::string> tokens_;
  std::shared_ptr<const re2::RE2> regex_;  // when config_.matches
};

}  // namespace forgehook::rules
