#pragma once
// Standard Webhooks signing (used by GitLab 19+): webhook-signature holds space-separated
// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>" entries; the key is
// "whsec_<base64 of the raw key>". Thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "verify/hmac.h"
#include "verify/outcome.h"

namespace forgehook::verify {

// Verifies against each key in order; any v1 entry matching any key is a Match{"standard-webhooks", i}.
// Failure::Missing when id, timestamp or signature is empty; Malformed for a non-numeric timestamp,
// a key without "whsec_" or with bad base64; Stale when |now - timestamp| > toleranceSeconds
// (checked before the MAC, so replays of old requests are refused); Mismatch otherwise.
[[nodiscard]] Outcome verifyStandardWebhook(std::string_view webhookId, std::string_view webhookTimestamp,
                                            std::string_view webhookSignature, std::string_view rawBody,
                                            std::span<const std::string> keys, std::int64_t nowSeconds,
                                            std::int64_t toleranceSeconds, EqualsFn equals = constantTimeEquals);

// The webhook-signature value a sender produces: "v1,<base64>". The key is "whsec_..." as above;
// returns an empty string for a malformed key.
[[nodiscard]] std::string signStandardWebhook(std::string_view key, std::string_view webhookId,
                                              std::string_view webhookTimestamp, std::string_view rawBody);

}  // namespace forgehook::verify
