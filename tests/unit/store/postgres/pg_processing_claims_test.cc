// Processing claims on PostgreSQL (store/postgres/pg_processing_claims.h): nodes share the due
// deliveries by repository, never the same repository at once, in id order within one; a dead
// node's claims are taken over after the lease; a node whose lease was taken over cannot confirm.
#include "store/postgres/pg_processing_claims.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "support/store_under_test.h"

namespace forgehook::store::postgres {
namespace {

using sqlite::delivery;
using sqlite::kSecond;
using sqlite::kT0;

constexpr std::int64_t kLease = 30 * kSecond;

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = std::make_unique<PgPool>(PgSettings{store_.url(), ""}, 4); }

  // Deliveries of `repositories` (each one `perRepository` times, interleaved), in id order.
  std::vector<std::int64_t> appendTo(const std::vector<std::string>& repositories, int perRepository) {
    std::vector<NewDelivery> batch;
    for (int i = 0; i < perRepository; ++i)
      for (const auto& r : repositories)
        batch.push_back(delivery("github", "1", r + "#" + std::to_string(i), kT0, "push", r));
    auto out = store_.log().appendBatch(batch);
    std::vector<std::int64_t> ids;
    if (!out) {
      ADD_FAILURE() << out.error().message;
      return ids;
    }
    for (const auto& o : *out) ids.push_back(o.id);
    return ids;
  }

  ClaimedWork claim(PgProcessingClaims& node, int max, std::int64_t now) {
    auto lease = pool_->lease();
    EXPECT_TRUE(lease);
    auto work = node.claimDue(**lease, max, now);
    EXPECT_TRUE(work) << work.error().message;
    return work ? *work : ClaimedWork{};
  }

  // Marks deliveries processed, after confirming the claims, as a node's commit would;
  // `beforeCommit` runs last inside the transaction, while the claims are still held.
  bool finish(PgProcessingClaims& node, const ClaimedWork& work, const std::function<void()>& beforeCommit = {}) {
    auto lease = pool_->lease();
    EXPECT_TRUE((*lease)->exec("BEGIN"));
    auto mine = node.confirm(**lease, work.tokens);
    if (!mine) {
      ADD_FAILURE() << mine.error().message;
      return false;
    }
    if (!*mine) {
      EXPECT_TRUE((*lease)->exec("ROLLBACK"));
      return false;
    }
    std::string ids = "{";
    for (const auto& d : work.deliveries) ids += (ids.size() > 1 ? "," : "") + std::to_string(d.id);
    EXPECT_TRUE((*lease)->exec("UPDATE deliveries SET status = 'processed' WHERE id = ANY($1::bigint[])", {ids + "}"}));
    EXPECT_TRUE(node.release(**lease, work.tokens));
    if (beforeCommit) beforeCommit();
    EXPECT_TRUE((*lease)->exec("COMMIT"));
    return true;
  }

  static std::set<std::string> repositoriesOf(const ClaimedWork& work) {
    std::set<std::string> out;
    for (const auto& d : work.deliveries) out.insert(d.repository);
    return out;
  }

  testing::PostgresUnderTest store_;
  std::unique_ptr<PgPool> pool_;
};

TEST_F(ClaimsTest, NodesNeverHoldTheSameRepositoryEachTakesTheOlderHalfItSeesAndGetsItsRepositoriesInOrder) {
  std::vector<std::int64_t> ids;
  for (const std::string r : {"o/a", "o/b", "o/c", "o/d"})  // three deliveries each, one repository after another
    for (const auto id : appendTo({r}, 3)) ids.push_back(id);
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease), c("node-c", kLease);
  const auto first = claim(a, 100, kT0);   // sees all four: takes o/a and o/b, leaves o/c and o/d to others
  const auto second = claim(b, 100, kT0);  // sees o/c and o/d: takes o/c
  const auto third = claim(c, 100, kT0);   // sees o/d
  EXPECT_EQ(repositoriesOf(first), (std::set<std::string>{"o/a", "o/b"}));
  EXPECT_EQ(repositoriesOf(second), (std::set<std::string>{"o/c"}));
  EXPECT_EQ(repositoriesOf(third), (std::set<std::string>{"o/d"}));
  // Between them, every due delivery; each node's in id order, every delivery of a repository it holds.
  EXPECT_EQ(first.deliveries.size() + second.deliveries.size() + third.deliveries.size(), ids.size());
  for (const auto* work : {&first, &second, &third}) {
    EXPECT_TRUE(std::is_sorted(work->deliveries.begin(), work->deliveries.end(),
                               [](const auto& x, const auto& y) { return x.id < y.id; }));
    std::map<std::string, int> perRepository;
    for (const auto& d : work->deliveries) ++perRepository[d.repository];
    for (const auto& [r, n] : perRepository) EXPECT_EQ(n, 3) << r;
    for (const auto& d : work->deliveries) EXPECT_FALSE(d.rawBody.empty());
  }
  EXPECT_EQ(first.tokens.size(), repositoriesOf(first).size());
}

// Ids come from a sequence and can commit out of order across nodes: the order deliveries are
// processed in is the order they committed, the seq of their "created" change record.
TEST_F(ClaimsTest, DeliveriesAreHandedOutInTheOrderTheyCommittedNotTheOrderOfTheirIds) {
  auto other = PgConnection::open({store_.url(), ""});  // another node's intake, slower to commit
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->exec("BEGIN"));
  auto late = other->exec(
      "INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, received_at, "
      "last_attempt_at, body_size, content_type, verification) VALUES ('github', '1', 'late', 'push', '', 'o/a', 's', "
      "1, 1, 2, 'application/json', 'sha256') RETURNING id");
  ASSERT_TRUE(late) << late.error().message;
  ASSERT_TRUE(other->exec("INSERT INTO delivery_bodies (delivery, headers, body_encoding, body) VALUES ($1, '{}', "
                          "'identity', '\\x7b7d')",
                          {late->text(0, 0)}));
  const auto early = appendTo({"o/a"}, 1);  // a higher id, committed first
  ASSERT_GT(early[0], late->integer(0, 0));
  // The slow node numbers its delivery as the delivery log does, under the counter's lock, then commits.
  ASSERT_TRUE(other->exec("UPDATE deliveries SET queue_seq = (SELECT seq FROM change_counter) + 1 WHERE id = $1",
                          {late->text(0, 0)}));
  ASSERT_TRUE(other->exec("UPDATE change_counter SET seq = seq + 1"));
  ASSERT_TRUE(other->exec("COMMIT"));
  PgProcessingClaims a("node-a", kLease);
  const auto work = claim(a, 10, kT0);
  ASSERT_EQ(work.deliveries.size(), 2u);
  EXPECT_EQ(work.deliveries[0].id, early[0]);
  EXPECT_EQ(work.deliveries[1].id, late->integer(0, 0));
  // The delivery log numbers each new delivery with its created record's seq.
  EXPECT_EQ(store_.rawTexts("SELECT count(*) FROM deliveries d JOIN changes c ON c.resource = 'deliveries' AND "
                            "c.action = 'created' AND c.entity_id = d.id::text AND c.seq = d.queue_seq WHERE d.id = " +
                            std::to_string(early[0])),
            std::vector<std::string>{"1"});
}

TEST_F(ClaimsTest, RepositoryNamesAreClaimedCaseInsensitively) {
  appendTo({"Octo/Repo"}, 1);
  appendTo({"octo/repo"}, 1);
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  EXPECT_EQ(claim(a, 10, kT0).deliveries.size(), 2u);
  EXPECT_TRUE(claim(b, 10, kT0).deliveries.empty());
}

TEST_F(ClaimsTest, ADeadNodesClaimIsTakenOverAfterTheLeaseWithTheSameDeliveries) {
  appendTo({"o/a"}, 3);
  PgProcessingClaims dead("node-dead", kLease), b("node-b", kLease);
  const auto lost = claim(dead, 10, kT0);  // claims, then never commits
  ASSERT_EQ(lost.deliveries.size(), 3u);
  EXPECT_TRUE(claim(b, 10, kT0 + kLease - 1).deliveries.empty()) << "taken before the lease ran out";
  const auto taken = claim(b, 10, kT0 + kLease);
  ASSERT_EQ(taken.deliveries.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(taken.deliveries[i].id, lost.deliveries[i].id);
  EXPECT_TRUE(finish(b, taken));
}

TEST_F(ClaimsTest, ClaimingAgainRenewsTheLeaseKeepsTheTokenAndHandsOutNothingInFlight) {
  appendTo({"o/a"}, 2);
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  const auto first = claim(a, 1, kT0);  // the first delivery, in flight
  ASSERT_EQ(first.deliveries.size(), 1u);
  auto lease = pool_->lease();
  const InFlight inFlight{{first.tokens.begin(), first.tokens.end()}, {first.deliveries[0].id}};
  auto renewed = a.claimDue(**lease, 10, kT0 + kLease - 1, inFlight);  // a prefetch, before the lease runs out
  ASSERT_TRUE(renewed) << renewed.error().message;
  ASSERT_EQ(renewed->deliveries.size(), 1u) << "the delivery in flight was handed out again";
  EXPECT_NE(renewed->deliveries[0].id, first.deliveries[0].id);
  EXPECT_EQ(renewed->tokens, first.tokens);
  EXPECT_TRUE(claim(b, 10, kT0 + kLease + 1).deliveries.empty()) << "the renewed lease was taken";
  EXPECT_TRUE(finish(a, first));
}

TEST_F(ClaimsTest, AClaimOfWorkInFlightIsRenewedWithNothingMoreDueAndKeepsItsTokenPastItsLease) {
  appendTo({"o/a"}, 1);
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  const auto slow = claim(a, 10, kT0);  // the only delivery, in flight for longer than a lease
  ASSERT_EQ(slow.deliveries.size(), 1u);
  auto lease = pool_->lease();
  const InFlight inFlight{{slow.tokens.begin(), slow.tokens.end()}, {slow.deliveries[0].id}};
  // Past the lease, before any other node looked: the claim is still node-a's, with its token.
  auto again = a.claimDue(**lease, 10, kT0 + kLease + 1, inFlight);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->deliveries.empty());
  EXPECT_TRUE(claim(b, 10, kT0 + kLease + 2).deliveries.empty()) << "a claim renewed for work in flight was taken";
  EXPECT_TRUE(finish(a, slow)) << "the renewed claim's work did not confirm";
}

TEST_F(ClaimsTest, AClaimTakenAgainAfterItWasGivenBackHasANewTokenSoOldWorkNeverConfirms) {
  appendTo({"o/a"}, 1);
  PgProcessingClaims a("node-a", kLease);
  const auto stale = claim(a, 10, kT0);
  ASSERT_EQ(stale.tokens.size(), 1u);
  {
    auto lease = pool_->lease();
    ASSERT_TRUE(a.release(**lease, stale.tokens));
  }
  const auto fresh = claim(a, 10, kT0 + 1);
  ASSERT_EQ(fresh.tokens.size(), 1u);
  EXPECT_NE(fresh.tokens, stale.tokens);
  EXPECT_FALSE(finish(a, stale)) << "work of a claim given back confirmed";
  EXPECT_TRUE(finish(a, fresh));
}

TEST_F(ClaimsTest, AClaimWithWorkStillInFlightIsNotGivenBackWhenABatchHasNoRoomForIt) {
  appendTo({"o/a"}, 1);
  appendTo({"o/b"}, 1);
  appendTo({"o/a"}, 1);  // ids: a, b, a
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  const auto first = claim(a, 1, kT0);  // o/a's first, in flight
  ASSERT_EQ(first.deliveries.size(), 1u);
  // The next batch, room for one: o/b's delivery comes first. o/a is renewed, gets nothing, and
  // must stay held for the work in flight.
  auto lease = pool_->lease();
  const InFlight inFlight{{first.tokens.begin(), first.tokens.end()}, {first.deliveries[0].id}};
  auto second = a.claimDue(**lease, 1, kT0, inFlight);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->deliveries.size(), 1u);
  EXPECT_EQ(second->deliveries[0].repository, "o/b");
  EXPECT_EQ(repositoriesOf(claim(b, 10, kT0 + 1)), std::set<std::string>{}) << "o/a was given up while in flight";
}

TEST_F(ClaimsTest, RepositoriesOtherNodesHoldDoNotFillTheScanWindow) {
  appendTo({"o/busy"}, 40);  // a long backlog first
  appendTo({"o/other"}, 1);
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  ASSERT_FALSE(claim(a, 2, kT0).deliveries.empty());  // a holds o/busy
  const auto other = claim(b, 2, kT0);  // its window of 8 would hold o/busy's deliveries alone
  EXPECT_EQ(repositoriesOf(other), std::set<std::string>{"o/other"});
}

TEST_F(ClaimsTest, ANodeWhoseLeaseWasTakenOverCannotConfirmAndCommitsNothing) {
  appendTo({"o/a"}, 2);
  PgProcessingClaims slow("node-slow", kLease), b("node-b", kLease);
  const auto mine = claim(slow, 10, kT0);
  ASSERT_EQ(mine.deliveries.size(), 2u);
  const auto theirs = claim(b, 10, kT0 + 2 * kLease);  // slow's lease ran out meanwhile
  ASSERT_EQ(theirs.deliveries.size(), 2u);
  EXPECT_FALSE(finish(slow, mine));
  auto lease = pool_->lease();
  EXPECT_EQ((*lease)->exec("SELECT count(*) FROM deliveries WHERE status = 'processed'")->integer(0, 0), 0);
  EXPECT_TRUE(finish(b, theirs));
}

TEST_F(ClaimsTest, AReleasedClaimIsFreeAtOnceAndAFullBatchHoldsNoRepositoryItHasNoWorkFrom) {
  appendTo({"o/a", "o/b"}, 2);  // ids: a, b, a, b
  PgProcessingClaims a("node-a", kLease), b("node-b", kLease);
  const auto one = claim(a, 1, kT0);  // room for one delivery: o/a's first
  ASSERT_EQ(one.deliveries.size(), 1u);
  EXPECT_EQ(one.deliveries[0].repository, "o/a");
  const auto other = claim(b, 10, kT0);  // o/b was given back at once, o/a is held
  EXPECT_EQ(repositoriesOf(other), std::set<std::string>{"o/b"});
  ASSERT_TRUE(finish(b, other));
  ASSERT_TRUE(finish(a, one));  // releases o/a
  const auto rest = claim(b, 10, kT0 + 1);
  EXPECT_EQ(repositoriesOf(rest), std::set<std::string>{"o/a"});
  EXPECT_EQ(rest.deliveries.size(), 1u);  // o/a's second; its first was processed
}

// Three nodes claim, process and release concurrently until nothing is due: every delivery is
// processed exactly once, and no two nodes ever held one repository at the same time.
TEST_F(ClaimsTest, ConcurrentNodesProcessEveryDeliveryOnceWithoutSharingARepository) {
  std::vector<std::string> repositories;
  for (int r = 0; r < 12; ++r) repositories.push_back("o/r" + std::to_string(r));
  const auto ids = appendTo(repositories, 5);
  std::mutex m;
  std::map<std::string, std::string> holder;  // repository -> node processing it now
  std::multiset<std::int64_t> processed;
  bool overlap = false;
  std::vector<std::jthread> nodes;
  for (int n = 0; n < 3; ++n)
    nodes.emplace_back([&, n] {
      PgPool pool({store_.url(), ""}, 1);
      PgProcessingClaims node("node-" + std::to_string(n), kLease);
      for (int idle = 0; idle < 20;) {
        auto lease = pool.lease();
        auto work = node.claimDue(**lease, 7, kT0);
        ASSERT_TRUE(work) << work.error().message;
        if (work->deliveries.empty()) {
          ++idle;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        {
          std::lock_guard lock(m);
          for (const auto& r : repositoriesOf(*work)) {
            if (holder.contains(r)) overlap = true;
            holder[r] = node.node();
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        {
          std::lock_guard lock(m);
          for (const auto& d : work->deliveries) processed.insert(d.id);
        }
        // Let go of in the bookkeeping just before the commit that gives the claims back: still
        // held then, so no other node can have them yet, and no commit goes unwatched.
        ASSERT_TRUE(finish(node, *work, [&] {
          std::lock_guard lock(m);
          for (const auto& r : repositoriesOf(*work)) holder.erase(r);
        }));
      }
    });
  nodes.clear();  // joins
  EXPECT_FALSE(overlap) << "two nodes held one repository at once";
  EXPECT_EQ(processed.size(), ids.size());
  for (const auto id : ids) EXPECT_EQ(processed.count(id), 1u) << id;
}

}  // namespace
}  // namespace forgehook::store::postgres
