#include "store/postgres/pg_processing_claims.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "store/body_codec.h"
#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {

core::Result<ClaimedWork> PgProcessingClaims::claimDue(PgConnection& conn, int max, std::int64_t now,
                                                       const InFlight& inFlight, std::int64_t throughId) {
  const auto fail = [&](const core::Error& e) -> core::Result<ClaimedWork> {
    if (conn.usable() && conn.inTransaction()) (void)conn.exec("ROLLBACK");
    return std::unexpected(e);
  };
  // Claims are soft state: lost with the database server, they are taken again.
  if (auto begun = conn.exec("BEGIN; SET LOCAL synchronous_commit = off"); !begun) return fail(begun.error());
  // The repositories of the oldest due deliveries no other node holds, in the order their oldest
  // one came (held ones are passed over: one node's long backlog does not idle the others).
  // queue_seq is unique (each new delivery's own change seq), so it alone orders them, on the
  // deliveries_queue index.
  const auto exclude = pgBigintArray(inFlight.deliveryIds);
  auto due = conn.exec(
      "SELECT d.forge, lower(d.repository) FROM deliveries d WHERE d.status IN ('queued', 'retrying') AND "
      "d.next_attempt_at <= $1 AND d.id <> ALL($3::bigint[]) AND d.id <= $5::bigint AND NOT EXISTS (SELECT 1 FROM processing_claims c WHERE "
      "c.forge = d.forge AND c.repository = lower(d.repository) AND c.node <> $4 AND c.expires_at > $1) ORDER BY "
      "d.queue_seq LIMIT $2",
      {std::to_string(now), std::to_string(max * 4), exclude, node_, std::to_string(throughId)});
  if (!due) return fail(due.error());
  // The claims of work in flight are renewed whether or not they get more: a batch slower than a
  // lease keeps its repositories. (Skipped when one is locked: a commit of this node holds it.)
  if (!inFlight.tokens.empty()) {
    auto renewed = conn.exec(
        "UPDATE processing_claims SET expires_at = $3 WHERE (forge, repository) IN (SELECT forge, repository FROM "
        "processing_claims WHERE node = $1 AND token = ANY($2::bigint[]) ORDER BY forge, repository FOR UPDATE SKIP "
        "LOCKED)",
        {node_, pgBigintArray(std::vector<std::int64_t>(inFlight.tokens.begin(), inFlight.tokens.end())),
         std::to_string(now + lease_)});
    if (!renewed) return fail(renewed.error());
  }
  // Sorted: every node inserts and locks claim rows in one order, so two never wait on each other
  // in a circle.
  // Half of the repositories seen (the oldest work first), at least one: a node under steady load
  // would otherwise claim every repository at each batch, renew them while its next batch is in
  // flight, and leave the other nodes nothing. Taking half, each node leaves some to the next.
  std::vector<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < due->rows(); ++i) {
    std::pair<std::string, std::string> key{due->text(i, 0), due->text(i, 1)};
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(std::move(key));
  }
  seen.resize((seen.size() + 1) / 2);
  const std::set<std::pair<std::string, std::string>> candidates(seen.begin(), seen.end());
  std::vector<std::string> forges, repositories;
  for (const auto& [f, r] : candidates) {
    forges.push_back(f);
    repositories.push_back(r);
  }
  ClaimedWork work;
  if (forges.empty()) {
    if (auto done = conn.exec("COMMIT"); !done) return fail(done.error());
    return work;
  }
  // Claim rows exist before they can be locked. A row another node is inserting right now is
  // waited for until that node's claiming transaction commits (short: it processes nothing in it).
  if (auto made = conn.exec(
          "INSERT INTO processing_claims (forge, repository, node, token, expires_at) SELECT f, r, '', 0, 0 FROM "
          "unnest($1::text[], $2::text[]) AS c(f, r) ON CONFLICT DO NOTHING",
          {pgTextArray(forges), pgTextArray(repositories)});
      !made)
    return fail(made.error());
  // Free (expired, never held, or this node's own): taken. Held by another node, or locked by a
  // node claiming or committing right now: skipped. This node's own claim keeps its token (the lease
  // is renewed), also when its lease ran out meanwhile: no other node took it then (a takeover or
  // a release changes the node), so work it claimed before, still in flight, confirms with it.
  auto claimed = conn.exec(
      "WITH free AS (SELECT c.forge, c.repository FROM processing_claims c JOIN unnest($1::text[], $2::text[]) AS "
      "w(f, r) ON c.forge = w.f AND c.repository = w.r WHERE c.expires_at <= $3 OR c.node = $4 ORDER BY c.forge, "
      "c.repository FOR UPDATE OF c SKIP LOCKED) UPDATE processing_claims p SET token = CASE WHEN p.node = $4 "
      "THEN p.token ELSE nextval('processing_claim_tokens') END, node = $4, expires_at = $5 "
      "FROM free WHERE p.forge = free.forge AND p.repository = free.repository RETURNING p.forge, p.repository, "
      "p.token",
      {pgTextArray(forges), pgTextArray(repositories), std::to_string(now), node_, std::to_string(now + lease_)});
  if (!claimed) return fail(claimed.error());
  std::vector<std::string> claimedForges, claimedRepositories;
  std::map<std::pair<std::string, std::string>, std::int64_t> tokenOf;
  for (int i = 0; i < claimed->rows(); ++i) {
    claimedForges.push_back(claimed->text(i, 0));
    claimedRepositories.push_back(claimed->text(i, 1));
    tokenOf[{claimed->text(i, 0), claimed->text(i, 1)}] = claimed->integer(i, 2);
  }
  std::set<std::pair<std::string, std::string>> used;  // claims that got deliveries in the batch
  if (!tokenOf.empty()) {
    auto rows = conn.exec(
        "SELECT d.id, d.forge, d.event, d.action, d.repository, d.sender, d.content_type, d.received_at, "
        "d.process_attempts, b.body_encoding, b.body, d.source, d.delivery_id, d.processed_at IS NOT NULL, "
        "lower(d.repository) "
        "FROM deliveries d JOIN unnest($1::text[], $2::text[]) AS c(f, r) ON d.forge = c.f AND lower(d.repository) = "
        "c.r LEFT JOIN delivery_bodies b ON b.delivery = d.id WHERE d.status IN ('queued', 'retrying') AND "
        "d.next_attempt_at <= $3 AND d.id <> ALL($5::bigint[]) AND d.id <= $6::bigint ORDER BY d.queue_seq LIMIT $4",
        {pgTextArray(claimedForges), pgTextArray(claimedRepositories), std::to_string(now), std::to_string(max), exclude,
         std::to_string(throughId)});
    if (!rows) return fail(rows.error());
    for (int i = 0; i < rows->rows(); ++i) {
      const std::pair<std::string, std::string> key{rows->text(i, 1), rows->text(i, 14)};  // as the database folded it
      used.insert(key);
      work.deliveryTokens.push_back(tokenOf.at(key));
      auto& d = work.deliveries.emplace_back();
      d.id = rows->integer(i, 0);
      d.forge = rows->text(i, 1);
      d.event = rows->text(i, 2);
      d.action = rows->text(i, 3);
      d.repository = rows->text(i, 4);
      d.sender = rows->text(i, 5);
      d.contentType = rows->text(i, 6);
      d.receivedAt = rows->integer(i, 7);
      d.processAttempts = rows->integer(i, 8);
      d.source = rows->text(i, 11);
      d.deliveryId = rows->text(i, 12);
      d.processedBefore = rows->text(i, 13) == "t";
      if (rows->isNull(i, 10)) {
        d.loadError = "the delivery's body is gone";
      } else if (auto body = decodeBody(rows->bytes(i, 10), rows->text(i, 9))) {
        d.rawBody = std::move(*body);
      } else {
        d.loadError = body.error().message;
      }
    }
  }
  // Claims of repositories none of whose deliveries made the batch (it was full) are given back
  // at once, unless earlier work of this node holds them: held for a lease without work, they
  // would only hold other nodes off.
  std::vector<std::int64_t> idle;
  for (const auto& [key, token] : tokenOf) {
    if (used.contains(key))
      work.tokens.push_back(token);
    else if (!inFlight.tokens.contains(token))  // earlier work of this node still holds it
      idle.push_back(token);
  }
  if (auto given = release(conn, idle); !given) return fail(given.error());
  if (auto done = conn.exec("COMMIT"); !done) return fail(done.error());
  return work;
}

core::Result<bool> PgProcessingClaims::confirm(PgConnection& conn, const std::vector<std::int64_t>& tokens) {
  if (tokens.empty()) return true;
  const std::set<std::int64_t> distinct(tokens.begin(), tokens.end());
  // Locked in one order (as claimDue locks), so two commits never wait on each other in a circle.
  auto held = conn.exec(
      "SELECT count(*) FROM (SELECT 1 FROM processing_claims WHERE node = $1 AND token = ANY($2::bigint[]) ORDER BY "
      "forge, repository FOR UPDATE) AS mine",
      {node_, pgBigintArray(std::vector<std::int64_t>(distinct.begin(), distinct.end()))});
  if (!held) return std::unexpected(held.error());
  return held->integer(0, 0) == static_cast<std::int64_t>(distinct.size());
}

core::Result<void> PgProcessingClaims::release(PgConnection& conn, const std::vector<std::int64_t>& tokens) {
  if (tokens.empty()) return {};
  auto released = conn.exec(
      // node '' too: taken again (by any node), the claim gets a new token.
      "UPDATE processing_claims SET expires_at = 0, node = '' WHERE node = $1 AND token = ANY($2::bigint[])",
      {node_, pgBigintArray(tokens)});
  if (!released) return std::unexpected(released.error());
  return {};
}

}  // namespace forgehook::store::postgres
