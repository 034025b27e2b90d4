#pragma once
// A node's liveness on PostgreSQL: each forgehook node holds a session advisory lock named after
// it (store.postgres.node) for as long as it runs, on a connection of its own. So two processes
// never run under one name (the second is refused: claims and command runs are fenced by the name),
// and another node can tell that a node is gone (the lock is free: its process died and PostgreSQL
// ended its session), which is when its running commands are recovered (pg_command_run_store.h).
#include <string>

#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

// pg_advisory_lock's first key for node locks: (kNodeLockClass, hashtext(node)).
inline constexpr const char* kNodeLockClass = "26217";

class PgNodeLock {
 public:
  // Takes the lock, waiting up to `waitMs` for a previous process of this node whose session
  // PostgreSQL has not ended yet. Throws std::runtime_error when another process holds it, or the
  // database cannot be reached (start-up only).
  PgNodeLock(const PgSettings& settings, const std::string& node, int waitMs = 10'000);

 private:
  PgConnection conn_;
};

}  // namespace forgehook::store::postgres
