#pragma once
// The state of mapping one delivery's payload to records, shared by the per-forge mappers:
// the forge its keys carry, the payload, the delivery being filled and the repository found so
// far. Internal to model/. Not thread-safe: one per mapping call.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/json_view.h"
#include "model/record_builder.h"
#include "store/activity.h"

namespace forgehook::model {

struct MappingContext {
  std::string forge;  // wire name ("github", "gitlab", "gitea"): the first column of every key
  const JsonView& p;
  store::ProcessedDelivery& out;
  std::string repoId;  // set by the repository/project mapper; empty for org-level events

  // Appends an entity write to `out`.
  void write(std::string table, std::vector<store::Field> key, Fields fields, std::int64_t version,
             store::WriteMode mode = store::WriteMode::LatestWins);
  // A primary key: ("forge", forge) followed by `extra` in order.
  [[nodiscard]] std::vector<store::Field> key(
      std::initializer_list<std::pair<const char*, store::FieldValue>> extra) const;
  // Sets the activity line's summary and url, and its time when `at` is known.
  void activity(std::optional<std::int64_t> at, std::string summary, std::string url);
  // The delivery's sender, or "someone" when it names none.
  [[nodiscard]] std::string actor() const;
};

}  // namespace forgehook::model
