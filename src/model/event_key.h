#pragma once
// The natural key of a GitHub event: what identifies "the same thing happened" whether the event
// came as a webhook delivery or was fetched from the Events API, so the pipeline applies it once
// (see ProcessingQueue::finishProcessing). Internal to model/ (it reads a JsonView).
#include <string>
#include <string_view>

#include "model/json_view.h"

namespace forgehook::model {

// "push:<repo id>:<ref>:<after>", "pull_request:<repo id>:<number>:<action>:<updated_at>[:<label or
// requested reviewer>]", "issues:..." likewise, "issue_comment:<comment id>:<action>:<updated_at>",
// "pull_request_review:<review id>:<action>:<submitted_at>", "release:<release id>:<action>",
// "create|delete:<ref_type>:<ref>:<repo id>". "" (never deduplicated) for any other event, or when
// a part the key needs is missing: an event is applied twice rather than one lost.
[[nodiscard]] std::string eventKey(std::string_view event, const JsonView& payload);

}  // namespace forgehook::model
