#pragma once
// Which node runs a periodic job (reconciliation, polling, retention) when several share one
// PostgreSQL store: the one holding the job's session advisory lock. The lock lives as long as the
// connection that took it, so a leader that dies (or loses its connection) frees its jobs at once
// and another node takes them at its next try; no lease to wait out, no clock to trust.
//
// Limits: a leader learns that it lost a job only at its next lead(), so a run in progress when its
// connection went may overlap the new leader's first run (the jobs must tolerate that, as
// reconciliation and retention do); not thread-safe (pg_backend.cc's PgJobLeadership serializes
// the threads that ask); needs a session to itself (a pooler in transaction mode, PgBouncer's, would hand the lock to others).
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

class PgLeadership {
 public:
  // Connects lazily, with a connection of its own (held while this node leads anything).
  explicit PgLeadership(PgSettings settings) : settings_(std::move(settings)) {}

  // True when this node leads `job` now: it holds the job's lock, or took it just now. A lost
  // connection is noticed here (every call checks it): the node then leads nothing until it takes
  // a lock again. Call before each run of the job. Errors: Unavailable when the database cannot be
  // reached (the node leads nothing meanwhile).
  [[nodiscard]] core::Result<bool> lead(std::string_view job);

  // Gives `job` up (a node that stops, or stops running it).
  void resign(std::string_view job);

 private:
  const PgSettings settings_;
  std::optional<PgConnection> conn_;
  std::set<std::string, std::less<>> held_;
};

}  // namespace forgehook::store::postgres
