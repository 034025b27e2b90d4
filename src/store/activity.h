#pragma once
// What processing a delivery writes: the model (model/) turns a payload into these records and the
// store commits them, with the delivery's new status, in one transaction. Records are plain data so
// the model never sees SQL and a PostgreSQL store can apply the same records.
//
// Order independence: every entity write carries a `version` (the payload's own timestamp, see
// model::version() in model/record_builder.h) and replaces the stored entity only when it is not
// older. Deliveries of one entity may therefore be applied in any order, or twice, and end in the
// same state; everything else (counts, first review, incidents, item status) is derived from these
// tables when read or recomputed from them, never accumulated.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/command_run_store.h"

namespace forgehook::store {

// Null, an integer (booleans are 0/1) or text.
using FieldValue = std::variant<std::monostate, std::int64_t, std::string>;

struct Field {
  std::string name;
  FieldValue value;
};

enum class WriteMode {
  LatestWins,      // insert, or replace the provided columns when version >= the stored one
  InsertIfAbsent,  // insert only when the key is new (stubs, facts that never change)
  FillMissing,     // insert, or set the provided columns that are still NULL (facts learned once)
};

struct EntityWrite {
  std::string table;          // one of the projection tables (the store refuses others)
  std::vector<Field> key;     // the table's primary key columns
  std::vector<Field> fields;  // other columns to set
  std::int64_t version = 0;
  WriteMode mode = WriteMode::LatestWins;
};

// A workflow on a branch whose incidents must be recomputed from its runs after this delivery.
struct IncidentScope {
  std::string forge, repoId, workflow, branch;
  bool operator==(const IncidentScope&) const = default;
};

// One line of the activity feed; keyed by the delivery, so reprocessing rewrites the same line.
struct ActivityEntry {
  std::int64_t at = 0;  // Unix seconds: the event's own time, else when it was received
  std::string forge, repoId, repository, actor, kind, action, summary, url;
};

// A delivery read from the queue, body decoded back to the bytes received.
struct QueuedDelivery {
  std::int64_t id = 0;
  std::string forge, event, action, repository, sender, contentType;
  std::string deliveryId{};     // the forge's delivery id (GUID)
  bool processedBefore = false;  // processed once already: this is a replay or a rebuild
  std::string source = "webhook";  // NewDelivery::source
  std::int64_t receivedAt = 0;     // Unix microseconds
  std::int64_t processAttempts = 0;
  std::string rawBody;
  std::string loadError;  // set when the stored body could not be decoded
};

struct ProcessedDelivery {
  std::int64_t id = 0;
  std::vector<EntityWrite> writes;
  std::vector<IncidentScope> incidentScopes;
  ActivityEntry activity;
  // The event's natural key (model/event_key.h), "" when it has none. A delivery whose key was
  // already applied from another source (webhook vs poll) is a duplicate: nothing of it is written.
  std::string forge{}, source = "webhook", eventKey{};
  // Commands of the [[rules]] it matched. Queued only at a delivery's first processing (never by a
  // replay or rebuild), and not for a duplicate.
  std::vector<NewCommandRun> commands{};
};

// A delivery whose processing failed: retried at `retryAt`, or dead-lettered when it has none.
struct FailedDelivery {
  std::int64_t id = 0;
  std::string error;
  std::optional<std::int64_t> retryAt;  // Unix microseconds
};

}  // namespace forgehook::store
