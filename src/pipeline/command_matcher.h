#pragma once
// The bridge from processing to [[rules]]: which commands a queued delivery's payload asks for, as
// the runs the store queues with it (ProcessedDelivery::commands). Thread-safe: the rules are
// immutable.
#include <string>

#include "pipeline/processor.h"

namespace forgehook::rules {
class RuleSet;
}

namespace forgehook::pipeline {

// Requires: `rules` outlives the matcher.
[[nodiscard]] CommandMatcher makeCommandMatcher(const rules::RuleSet& rules);

}  // namespace forgehook::pipeline
