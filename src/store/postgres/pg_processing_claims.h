#pragma once
// How several nodes share the processing of one PostgreSQL store without two of them applying
// deliveries of one resource at once or out of order: a node claims whole *repositories* (every
// resource the model derives belongs to one) for a lease, and only the holder of a repository's
// claim processes its deliveries, oldest first. Claims are taken with FOR UPDATE SKIP LOCKED, so
// nodes never wait for each other: a repository another node is claiming right now is simply left
// to it. A node that dies leaves its claims to expire; another node then takes them over, and the
// deliveries it had not committed are due again, in the same order.
//
// The lease is fenced: each claim carries a fresh token, and a node's commit of its results first
// locks its claim rows and checks its tokens (confirm), in the same transaction. A node whose lease
// ran out and was taken over finds another token and must roll back; a takeover cannot happen
// while a commit holds the rows (it skips locked rows).
//
// Repositories are named as the deliveries name them (lower-cased): deliveries of one repository
// queued under its old and its new name (a rename) are two claims. Not handled yet.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

struct ClaimedWork {
  // Due, of the repositories claimed, oldest first: in the order they committed (queue_seq), which
  // across nodes is not always the order of their ids.
  std::vector<QueuedDelivery> deliveries;
  std::vector<std::int64_t> deliveryTokens;  // the token of each delivery's claim, in the same order
  std::vector<std::int64_t> tokens;          // of the claims that got deliveries (to confirm and release)
};

// What this node still processes from earlier claims (not committed yet).
struct InFlight {
  std::set<std::int64_t> tokens;            // their claims are kept even without new work
  std::vector<std::int64_t> deliveryIds;    // never handed out again meanwhile
};

class PgProcessingClaims {
 public:
  // `node`: this node's name (unique among the nodes); `leaseMicros`: how long a claim lasts unless
  // renewed by claiming again.
  PgProcessingClaims(std::string node, std::int64_t leaseMicros) : node_(std::move(node)), lease_(leaseMicros) {}

  // In its own transaction on `conn` (never inside the caller's: it commits): looks at the oldest
  // due deliveries (queued, or retrying and past their retry time) that no other node holds, up to
  // `max` * 4 of them, claims the older half of their repositories (at least one: so a busy node
  // leaves work to the others), and returns up to `max` due deliveries of those
  // repositories with their bodies, leaving out `inFlight.deliveryIds` and ids above `throughId`
  // (a rebuild's queued part). The claims of `inFlight.tokens` are renewed for another lease. A
  // repository still held by this node (its name on the claim, even after the lease ran out: no
  // other node took it) keeps its token, so work in flight still confirms; a claim given back or
  // taken over gets a new token when taken again, so work of an earlier claim never confirms.
  // Claims that got no delivery are given back at once, unless in `inFlight.tokens`. Leases are timed by `nowMicros` (the nodes' clocks; a skewed clock
  // takes over early, which the fencing makes safe, not wasted-free). Errors: as PgConnection::exec.
  [[nodiscard]] core::Result<ClaimedWork> claimDue(PgConnection& conn, int max, std::int64_t nowMicros,
                                                   const InFlight& inFlight = {},
                                                   std::int64_t throughId = INT64_MAX);

  // Inside the caller's transaction, before it writes results: locks this node's claims with
  // `tokens` and tells whether they are all still its own. False: another node took one over (the
  // lease ran out); the caller must roll back. Errors: as PgConnection::exec.
  [[nodiscard]] core::Result<bool> confirm(PgConnection& conn, const std::vector<std::int64_t>& tokens);

  // Inside the caller's transaction (or alone): gives the claims up, so other nodes may take the
  // repositories at once. Only once no work of them is in flight on this node: a token shared by
  // two batches (a renewal) is released by the last one.
  [[nodiscard]] core::Result<void> release(PgConnection& conn, const std::vector<std::int64_t>& tokens);

  [[nodiscard]] const std::string& node() const { return node_; }

 private:
  const std::string node_;
  const std::int64_t lease_;
};

}  // namespace forgehook::store::postgres
