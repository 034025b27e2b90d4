#pragma once
// A delivery as the deliveries API summarizes it (api/delivery_json.cc; a test compares them), in
// its field order: the data of the change feed's "deliveries" records, built the same way by every
// backend. Built in C++ rather than by SQL: json_object with strftime for the two times was a ninth
// of a rebuild's time on SQLite, one record per processed delivery.
#include <cstdint>
#include <string>
#include <string_view>

namespace forgehook::store {

struct DeliverySummaryFields {
  std::int64_t id = 0;
  std::string_view forge, deliveryId, hookId, event, action, repository, sender;
  std::int64_t receivedAt = 0, lastAttemptAt = 0, attempts = 0, bodySize = 0;  // times in Unix microseconds
  std::string_view contentType, verification, source;
  bool bodyPruned = false;
  std::string_view status;
};

[[nodiscard]] std::string deliverySummaryJson(const DeliverySummaryFields& d);

}  // namespace forgehook::store
