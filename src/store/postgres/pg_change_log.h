#pragma once
// Appends change-feed records inside the caller's transaction on PostgreSQL. Their seqs come from
// the single row of change_counter, updated just before the caller commits: the row's lock is held
// until that commit, so a transaction that records changes after another one gets higher seqs and
// commits after it. Seq order is then commit order, and a reader that has seen seq S has seen every
// record below S (with a sequence, a transaction could commit seq 11 before another commits 10,
// and a reader following from 11 would never see 10). A NOTIFY on channel forgehook_changes tells
// every node's listener (pg_change_feed.h) at commit.
#include <cstdint>
#include <span>
#include <string>

#include "core/error.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

inline constexpr const char* kChangesChannel = "forgehook_changes";

struct PendingChange {
  std::int64_t atMicros = 0;
  std::string resource, action, entityId, forge, repository;  // "" forge/repository: NULL
  std::string dataJson;
};

// Numbers and inserts `changes` in order, and notifies. Call last before COMMIT, inside the
// transaction. Returns the seq of the first (the others follow it; 0 when there is none). Errors:
// as PgConnection::exec (the caller rolls back).
[[nodiscard]] core::Result<std::int64_t> appendChanges(PgConnection& conn, std::span<const PendingChange> changes);

// A reset point of the feed (store/change_feed.h; `reason`: "rebuild_started", "rebuild_finished"):
// the next seq, taken under the counter's lock like a record's, kept in change_resets with no
// record. Call after appendChanges of the same transaction (its seq follows theirs). Errors: as
// PgConnection::exec.
[[nodiscard]] core::Result<void> appendReset(PgConnection& conn, const std::string& reason, std::int64_t atMicros);

}  // namespace forgehook::store::postgres
