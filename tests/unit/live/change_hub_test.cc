#include "live/change_hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace forgehook::live {
namespace {

using namespace std::chrono_literals;

// An in-memory change feed: append() adds records; prune() drops the oldest. Thread-safe.
class FakeChangeFeed final : public store::ChangeFeed {
 public:
  std::int64_t append(std::string resource, std::string repository = "o/r", std::string data = "{}") {
    std::lock_guard lock(mutex_);
    ++newest_;
    records_.push_back({newest_, 0, std::move(resource), "created", std::to_string(newest_), "github",
                        std::move(repository), std::move(data)});
    return newest_;
  }
  // A reset point (a rebuild's): takes a seq without a record.
  std::int64_t resetPoint(std::string reason = "rebuild_started") {
    std::lock_guard lock(mutex_);
    resetPoints_.emplace_back(++newest_, std::move(reason));
    return newest_;
  }
  void pruneAllBut(std::size_t keep) {
    std::lock_guard lock(mutex_);
    while (records_.size() > keep) records_.erase(records_.begin());
  }
  core::Result<store::ChangePage> read(const store::ChangeQuery& q) override {
    std::lock_guard lock(mutex_);
    store::ChangePage page;
    page.newestSeq = newest_;
    page.oldestSeq = records_.empty() ? 0 : records_.front().seq;
    page.reset = page.oldestSeq ? q.after < page.oldestSeq - 1 : q.after < newest_;
    if (q.after > newest_) page.reset = true;  // as SqliteChangeFeed: a resume point from another database
    for (const auto& [seq, reason] : resetPoints_)
      if (!page.reset && seq > q.after) {
        page.resetAt = seq;
        page.resetReason = reason;
        break;
      }
    for (const auto& c : records_) {
      if (c.seq <= q.after) continue;
      if (page.resetAt && c.seq > page.resetAt) break;
      if (!q.resources.empty() && std::find(q.resources.begin(), q.resources.end(), c.resource) == q.resources.end())
        continue;
      if (static_cast<int>(page.changes.size()) == q.limit) break;
      page.changes.push_back(c);
    }
    if (page.resetAt && static_cast<int>(page.changes.size()) == q.limit) page.resetAt = 0;  // not reached yet
    if (page.resetAt) page.reset = true;
    return page;
  }
  core::Result<std::int64_t> newestSeq() override {
    std::lock_guard lock(mutex_);
    return newest_;
  }
  core::Result<std::int64_t> prune(const store::ChangeRetention&, std::int64_t) override { return 0; }
  void setCommitListener(std::function<void()>) override {}

 private:
  std::mutex mutex_;
  std::vector<store::Change> records_;
  std::vector<std::pair<std::int64_t, std::string>> resetPoints_;
  std::int64_t newest_ = 0;
};

// What one subscriber received, with a wait for a count.
struct Received {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::int64_t> seqs;
  std::vector<std::pair<std::int64_t, std::int64_t>> resets;
  std::vector<std::size_t> changesBeforeReset;  // per reset: how many changes had come before it
  std::vector<std::string> resetReasons;
  bool refuseAfterFirst = false;

  ChangeHub::Deliver deliver() {
    return [this](const store::Change& c) {
      std::lock_guard lock(mutex);
      if (refuseAfterFirst && !seqs.empty()) return false;
      seqs.push_back(c.seq);
      changed.notify_all();
      return true;
    };
  }
  ChangeHub::Reset reset() {
    return [this](std::int64_t oldest, std::int64_t newest, std::string_view reason) {
      std::lock_guard lock(mutex);
      resets.emplace_back(oldest, newest);
      changesBeforeReset.push_back(seqs.size());
      resetReasons.emplace_back(reason);
      changed.notify_all();
      return true;
    };
  }
  bool waitFor(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return seqs.size() >= n; });
  }
  bool waitForReset() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return !resets.empty(); });
  }
  std::vector<std::int64_t> snapshot() {
    std::lock_guard lock(mutex);
    return seqs;
  }
};

class ChangeHubTest : public ::testing::Test {
 protected:
  FakeChangeFeed feed_;
  core::Logger logger_{core::LogLevel::Error};
  // A long poll interval: the tests see changes only because notify() is called.
  ChangeHub hub_{feed_, logger_, {.pageSize = 3, .pollInterval = 60s}};
};

TEST_F(ChangeHubTest, DeliversNewChangesInSeqOrderAfterNotify) {
  hub_.start();
  Received r;
  hub_.subscribe({}, std::nullopt, r.deliver(), r.reset());
  for (int i = 0; i < 7; ++i) feed_.append("pulls");  // more than a page
  hub_.notify();
  ASSERT_TRUE(r.waitFor(7));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(ChangeHubTest, ResumingCatchesUpFromTheFeedThenFollowsWithoutGapOrRepeat) {
  for (int i = 0; i < 5; ++i) feed_.append("issues");
  hub_.start();  // the hub starts at seq 5
  Received r;
  hub_.subscribe({}, 2, r.deliver(), r.reset());  // has seen up to 2
  feed_.append("issues");
  hub_.notify();
  ASSERT_TRUE(r.waitFor(4));
  feed_.append("issues");
  hub_.notify();
  ASSERT_TRUE(r.waitFor(5));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{3, 4, 5, 6, 7}));
}

TEST_F(ChangeHubTest, FiltersByResourceRepositoryCaseInsensitivelyAndActivityKind) {
  hub_.start();
  Received items, repo, pushes;
  hub_.subscribe({.resources = {"items"}}, std::nullopt, items.deliver(), items.reset());
  hub_.subscribe({.repository = std::string("O/R")}, std::nullopt, repo.deliver(), repo.reset());
  hub_.subscribe({.kinds = {"push"}}, std::nullopt, pushes.deliver(), pushes.reset());
  feed_.append("items");                                    // 1
  feed_.append("pulls", "x/y");                             // 2
  feed_.append("activity", "o/r", R"({"kind":"push"})");    // 3
  feed_.append("activity", "x/y", R"({"kind":"issues"})");  // 4
  feed_.append("items");                                    // 5
  hub_.notify();
  ASSERT_TRUE(items.waitFor(2));
  ASSERT_TRUE(repo.waitFor(3));
  ASSERT_TRUE(pushes.waitFor(1));
  // Everything is delivered in order: once the later ones arrived, nothing else will.
  EXPECT_EQ(items.snapshot(), (std::vector<std::int64_t>{1, 5}));
  EXPECT_EQ(repo.snapshot(), (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_EQ(pushes.snapshot(), (std::vector<std::int64_t>{3}));
}

TEST_F(ChangeHubTest, AResumePointThatWasPrunedGetsAResetThenTheLiveChanges) {
  for (int i = 0; i < 6; ++i) feed_.append("runs");
  feed_.pruneAllBut(2);  // keeps 5 and 6
  hub_.start();
  Received r;
  hub_.subscribe({}, 1, r.deliver(), r.reset());
  ASSERT_TRUE(r.waitForReset());
  EXPECT_EQ(r.resets.front(), (std::pair<std::int64_t, std::int64_t>{5, 6}));
  EXPECT_EQ(r.resetReasons, (std::vector<std::string>{"pruned"}));
  feed_.append("runs");
  hub_.notify();
  ASSERT_TRUE(r.waitFor(1));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{7}));  // nothing from before the reset point
}

// Whether the hub has taken the subscribers in before the records are appended (the tail) or after
// (their catch-up) is up to its thread: both give the same sequence.
TEST_F(ChangeHubTest, AResetPointResetsEverySubscriberBetweenTheChangesAroundIt) {
  hub_.start();
  Received a, pulls;
  hub_.subscribe({}, std::nullopt, a.deliver(), a.reset());
  hub_.subscribe({.resources = {"pulls"}}, std::nullopt, pulls.deliver(), pulls.reset());
  feed_.append("runs");   // 1
  feed_.append("pulls");  // 2
  feed_.resetPoint();     // 3: a rebuild started
  feed_.append("pulls");  // 4
  feed_.append("runs");   // 5
  hub_.notify();
  ASSERT_TRUE(a.waitFor(4));
  ASSERT_TRUE(pulls.waitFor(2));
  EXPECT_EQ(a.snapshot(), (std::vector<std::int64_t>{1, 2, 4, 5}));
  ASSERT_EQ(a.resets, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 3}}));
  EXPECT_EQ(a.changesBeforeReset, (std::vector<std::size_t>{2}));  // after 1 and 2, before 4
  EXPECT_EQ(a.resetReasons, (std::vector<std::string>{"rebuild_started"}));
  // A filter that lets none of the records through still hears of the reset, in its place.
  EXPECT_EQ(pulls.snapshot(), (std::vector<std::int64_t>{2, 4}));
  ASSERT_EQ(pulls.resets.size(), 1u);
  EXPECT_EQ(pulls.changesBeforeReset, (std::vector<std::size_t>{1}));
  EXPECT_EQ(hub_.position(), 5);
}

TEST_F(ChangeHubTest, CatchingUpAcrossAResetPointDeliversWhatIsBeforeItThenResetsThenTheRest) {
  feed_.append("runs");                   // 1
  feed_.resetPoint("rebuild_finished");  // 2
  feed_.append("runs");                   // 3
  hub_.start();
  Received r;
  hub_.subscribe({}, 0, r.deliver(), r.reset());
  ASSERT_TRUE(r.waitFor(2));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{1, 3}));
  ASSERT_EQ(r.resets, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 2}}));
  EXPECT_EQ(r.changesBeforeReset, (std::vector<std::size_t>{1}));
  EXPECT_EQ(r.resetReasons, (std::vector<std::string>{"rebuild_finished"}));
}

TEST_F(ChangeHubTest, AResumePointBeyondTheFeedGetsAResetAtTheHubsPositionThenTheLiveChanges) {
  for (int i = 0; i < 3; ++i) feed_.append("runs");
  hub_.start();
  Received r;
  hub_.subscribe({}, 100, r.deliver(), r.reset());
  ASSERT_TRUE(r.waitForReset());
  EXPECT_EQ(r.resets.front().second, 3);
  EXPECT_EQ(r.resetReasons, (std::vector<std::string>{"pruned"}));
  feed_.append("runs");
  hub_.notify();
  ASSERT_TRUE(r.waitFor(1));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{4}));
}

TEST_F(ChangeHubTest, ASubscriberThatRefusesIsDroppedWhileOthersKeepReceiving) {
  hub_.start();
  Received slow, fine;
  slow.refuseAfterFirst = true;
  hub_.subscribe({}, std::nullopt, slow.deliver(), slow.reset());
  hub_.subscribe({}, std::nullopt, fine.deliver(), fine.reset());
  for (int i = 0; i < 4; ++i) feed_.append("pulls");
  hub_.notify();
  ASSERT_TRUE(fine.waitFor(4));
  EXPECT_EQ(slow.snapshot(), (std::vector<std::int64_t>{1}));
  // Dropped: once the hub has passed seq 4 it holds only the one that kept up.
  for (int i = 0; i < 50 && hub_.subscribers() != 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(hub_.subscribers(), 1u);
}

TEST_F(ChangeHubTest, UnsubscribedReceivesNothingMore) {
  hub_.start();
  Received r;
  const auto id = hub_.subscribe({}, std::nullopt, r.deliver(), r.reset());
  feed_.append("pulls");
  hub_.notify();
  ASSERT_TRUE(r.waitFor(1));
  hub_.unsubscribe(id);
  Received witness;  // a second subscriber proves the next change was delivered at all
  hub_.subscribe({}, std::nullopt, witness.deliver(), witness.reset());
  feed_.append("pulls");
  hub_.notify();
  ASSERT_TRUE(witness.waitFor(1));
  EXPECT_EQ(r.snapshot(), (std::vector<std::int64_t>{1}));
}

}  // namespace
}  // namespace forgehook::live
