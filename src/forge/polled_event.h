#pragma once
// A GitHub Events API event as a delivery: the event type in webhook naming (PullRequestEvent ->
// pull_request), the payload with the `repository` and `sender` a webhook carries, marked with its
// source ("poll"). The pipeline then treats it like any delivery, and drops it as a duplicate when
// the same event also came as a webhook (model/event_key.h).
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "forge/forge_client.h"
#include "store/delivery.h"

namespace forgehook::forge {

// All polled deliveries share this hook id, so an event polled twice is stored once.
inline constexpr const char* kPolledHookId = "events-api";

// The webhook event name of an Events API type; nothing for types with no webhook twin.
[[nodiscard]] std::optional<std::string> webhookEventOf(const std::string& eventsApiType);

// The delivery for `event`; nothing when its type has no webhook twin. Errors: InvalidArgument
// for an event that is not a JSON object with a payload.
[[nodiscard]] core::Result<std::optional<store::NewDelivery>> deliveryFromEvent(const PolledEvent& event,
                                                                               int compressionLevel,
                                                                               std::int64_t receivedAtMicros);

// Whether Events API id `a` is newer than `b` (ids are increasing decimal numbers).
[[nodiscard]] bool newerEventId(const std::string& a, const std::string& b);

}  // namespace forgehook::forge
