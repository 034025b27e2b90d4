#pragma once
// Fans the change feed out to live subscribers (SSE and WebSocket streams): one thread follows the
// feed after each commit and hands every subscriber the changes that match its filter, in seq
// order. A subscriber that resumes from an older seq is caught up from the feed first, on the same
// thread, so no change is missed or repeated between catch-up and the live tail; one that resumes
// from before what the feed still keeps is told to refetch (reset). Delivering never blocks: a
// subscriber whose deliver() refuses (its bounded send queue is full) is dropped, and no other
// subscriber, nor intake or the pipeline, waits for it. Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/log.h"
#include "store/change_feed.h"

namespace forgehook::live {

// Which changes a subscriber wants; empty lists mean all.
struct ChangeFilter {
  std::vector<std::string> resources{};  // "pulls", "items", "deliveries", ...
  std::vector<std::string> actions{};    // "created", "updated", "deleted"
  std::vector<std::string> kinds{};      // activity lines only: their event kind ("push", "issues", ...)
  std::optional<std::string> repository{}, forge{};
  // `kind`: the change's activityKind(), needed only when `kinds` is set (the hub reads it once per
  // change, not once per subscriber).
  [[nodiscard]] bool matches(const store::Change& change, std::string_view kind) const;
};

// The event kind of an activity line's change ("push", "issues", ...); empty for other resources.
[[nodiscard]] std::string activityKind(const store::Change& change);

class ChangeHub {
 public:
  struct Options {
    int pageSize = 500;                            // changes read from the feed at a time
    std::chrono::milliseconds pollInterval{1000};  // look at the feed this often even without notify()
  };
  ChangeHub(store::ChangeFeed& feed, const core::Logger& logger, Options options);
  ~ChangeHub();  // stop()s

  void start();
  void stop();  // idempotent
  // New changes may have committed: look now. Cheap, never blocks; called from the store's commit hook.
  void notify();

  // Returns false when the subscriber cannot take the change (it is then removed).
  using Deliver = std::function<bool(const store::Change&)>;
  // The subscriber must refetch state, then follows from after `newestSeq`. `reason`: "pruned" when
  // its resume point is no longer in the feed (or from another database), else the reason of the
  // rebuild's reset point it reached (store::ChangePage::resetReason).
  using Reset = std::function<bool(std::int64_t oldestSeq, std::int64_t newestSeq, std::string_view reason)>;
  // Subscribes from just after `after` (a seq the client has seen), or from now when none (reads the
  // feed's newest seq: call it off the I/O threads). Callbacks run on the hub thread and must not
  // block. Returns an id for unsubscribe().
  std::uint64_t subscribe(ChangeFilter filter, std::optional<std::int64_t> after, Deliver deliver, Reset reset);
  void unsubscribe(std::uint64_t id);

  [[nodiscard]] std::size_t subscribers() const;
  // The newest seq the hub has passed to its subscribers.
  [[nodiscard]] std::int64_t position() const;

 private:
  struct Subscriber {
    ChangeFilter filter;
    std::optional<std::int64_t> after;  // the newest seq it has: nothing at or before it is delivered
    Deliver deliver;
    Reset reset;
  };
  void run();
  void catchUp(Subscriber& s, std::int64_t until);
  void followTail();

  store::ChangeFeed& feed_;
  const core::Logger& logger_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool notified_ = false, stopping_ = false;
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, Subscriber> joining_;  // guarded by mutex_: subscribed, not yet caught up
  std::vector<std::uint64_t> leaving_;           // guarded by mutex_
  std::map<std::uint64_t, Subscriber> active_;   // hub thread only
  std::atomic<std::int64_t> position_{0};
  std::size_t activeCount_ = 0;  // guarded by mutex_ (a copy of active_.size() for subscribers())
  std::thread thread_;
};

}  // namespace forgehook::live
