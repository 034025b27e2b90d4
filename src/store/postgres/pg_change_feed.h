#pragma once
// The change feed on PostgreSQL (store/change_feed.h), shared by every node of one database. The
// commit listener runs on a thread of its own that LISTENs on forgehook_changes with a connection
// of its own: it is called for every node's commits (a NOTIFY, sent at commit by pg_change_log.h),
// and also when no notification came for `catchUpMs`, after (re)connecting, and once a second while
// it cannot connect, so a notification lost with a connection loses nothing: the records are the
// truth, the listener only says "read the feed". It may be called until the feed is destroyed.
#include <atomic>
#include <functional>
#include <thread>

#include "store/change_feed.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgChangeFeed final : public ChangeFeed {
 public:
  // `catchUpMs`: how often the listener is called without a notification.
  PgChangeFeed(PgPool& pool, PgSettings settings, int catchUpMs = 1000)
      : pool_(pool), settings_(std::move(settings)), catchUpMs_(catchUpMs) {}
  ~PgChangeFeed() override;
  PgChangeFeed(const PgChangeFeed&) = delete;
  PgChangeFeed& operator=(const PgChangeFeed&) = delete;

  [[nodiscard]] core::Result<ChangePage> read(const ChangeQuery& query) override;
  [[nodiscard]] core::Result<std::int64_t> newestSeq() override;
  [[nodiscard]] core::Result<std::int64_t> prune(const ChangeRetention& retention, std::int64_t nowMicros) override;
  // Set once; setting none (at a stop) ends the listening thread.
  void setCommitListener(std::function<void()> listener) override;

 private:
  void listen();
  void stopListening();

  PgPool& pool_;
  const PgSettings settings_;
  const int catchUpMs_;
  std::function<void()> listener_;
  std::thread thread_;
  int wake_ = -1;  // eventfd: stops the listening thread at once
  std::atomic<bool> stopping_{false};
};

}  // namespace forgehook::store::postgres
