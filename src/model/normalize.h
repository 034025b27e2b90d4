#pragma once
// The activity model's front door: one stored delivery in, the records it projects to out
// (store/activity.h). Pure: no I/O, no clock, so the same delivery always gives the same records,
// which is what makes replay and rebuild reproduce the live state. Thread-safe.
#include "core/error.h"
#include "store/activity.h"

namespace forgehook::model {

// Errors: InvalidArgument "unreadable_payload" when the body is not the JSON document its
// content type promises (a form without `payload`, invalid JSON).
[[nodiscard]] core::Result<store::ProcessedDelivery> normalize(const store::QueuedDelivery& delivery);

}  // namespace forgehook::model
