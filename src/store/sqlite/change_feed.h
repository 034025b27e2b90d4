#pragma once
// The change feed on SQLite (table changes, written by ChangeRecorder in the writers'
// transactions). Reads on pooled read connections; pruning in small write transactions. Thread-safe.
#include "store/change_feed.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteChangeFeed final : public ChangeFeed {
 public:
  explicit SqliteChangeFeed(Database& db) : db_(db) {}
  core::Result<ChangePage> read(const ChangeQuery& query) override;
  core::Result<std::int64_t> newestSeq() override;
  core::Result<std::int64_t> prune(const ChangeRetention& retention, std::int64_t nowMicros) override;
  void setCommitListener(std::function<void()> listener) override { db_.setCommitListener(std::move(listener)); }

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
