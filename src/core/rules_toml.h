#pragma once
// Reading `[[rules]]` from TOML, for config.cc only: it keeps toml++ out of core/config.h.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/rule_config.h"

namespace forgehook::core {

// The rules of the TOML value of key "rules" (an array of tables), checked as docs/CONFIG.md says.
// Throws std::invalid_argument naming the key, e.g. "rules[2].timeout_s must be between 1 and 86400".
[[nodiscard]] std::vector<RuleConfig> rulesFromToml(const toml::node& rules);

// The rules as `rules[i].key = value` lines for describeConfig; env values are shown as "***".
[[nodiscard]] std::string describeRules(const std::vector<RuleConfig>& rules);

}  // namespace forgehook::core
