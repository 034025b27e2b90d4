#pragma once
// The change feed: one record per committed change of the activity model (every list resource of
// store/resources.h) and of a delivery's status, numbered by `seq`. A record exists if and only if
// the write it describes committed: it is written in the same transaction. A rebuild is the
// exception: it takes reset points instead (ChangePage::resetAt). Live streams, outbound callbacks
// and polling clients all read it. Implementations are thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace forgehook::store {

struct Change {
  std::int64_t seq = 0;
  std::int64_t atMicros = 0;  // when the change committed
  std::string resource;       // a list resource name ("pulls", ...) or "deliveries"
  std::string action;         // "created" | "updated" | "deleted"
  std::string id;             // the row's id within the resource (stable across updates)
  std::string forge, repository;
  std::string dataJson;  // the row exactly as the query API returns it (for deleted: as it was)
};

struct ChangeQuery {
  std::int64_t after = 0;              // changes with seq > after
  std::vector<std::string> resources{};  // empty: every resource
  std::optional<std::string> repository{}, forge{};
  int limit = 100;  // 1..1000
};

struct ChangePage {
  std::vector<Change> changes;  // ascending seq
  std::int64_t newestSeq = 0;   // the newest seq in the feed (0: none yet)
  std::int64_t oldestSeq = 0;   // the oldest seq still kept (0: none yet)
  // True when `after` is older than what is kept (after < oldestSeq - 1: changes were pruned in
  // between), newer than the newest seq (it came from another database), or when the page reached a
  // reset point (resetAt): the client must refetch the state before following the feed again.
  bool reset = false;
  // The seq of a reset point after `after` that this page ends before (0: none reached). A rebuild
  // takes one when it starts and one when its last chunk is queued, instead of recording each row it
  // re-creates; the seq has no record. `changes` holds the records before it.
  std::int64_t resetAt = 0;
  // Why that reset point was taken: "rebuild_started", "rebuild_finished" or "rebuild_resumed".
  std::string resetReason;
};

struct ChangeRetention {
  std::int64_t maxAgeMicros = 7LL * 86400 * 1'000'000;
  std::int64_t maxRecords = 1'000'000;
  // Called between two of prune's transactions, the write lock free (may be empty): housekeeping
  // pauses there so intake and the pipeline get the writer, and returns false to stop (shutdown).
  std::function<bool()> between{};
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Errors: InvalidArgument for a bad limit; Unavailable.
  [[nodiscard]] virtual core::Result<ChangePage> read(const ChangeQuery& query) = 0;
  // The newest seq (0 when none). Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> newestSeq() = 0;
  // Deletes the records older than the retention (by age or count, the newest always kept), in
  // small transactions. Returns how many were deleted. Errors: Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> prune(const ChangeRetention& retention, std::int64_t nowMicros) = 0;
  // `listener` is called after every commit that may have appended records (on the committing
  // thread: it must be cheap and never block). Requires: set once, before writes start.
  virtual void setCommitListener(std::function<void()> listener) = 0;
};

}  // namespace forgehook::store
