#pragma once
// The JSON shapes of deliveries in API answers (docs/API.md).
#include <nlohmann/json_fwd.hpp>

#include "store/delivery.h"

namespace forgehook::api {

[[nodiscard]] nlohmann::json summaryJson(const store::DeliverySummary& d);
// Adds "headers" and "payload"; a payload that is no longer readable JSON comes back as a string.
[[nodiscard]] nlohmann::json detailJson(const store::DeliveryDetail& d);

}  // namespace forgehook::api
