#pragma once
// The command runs of [[rules]] on SQLite (table command_runs): every change of a run's status is
// recorded in the change feed in the same transaction. Thread-safe.
#include "store/command_run_store.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteCommandRunStore final : public CommandRunStore {
 public:
  SqliteCommandRunStore(Database& db, ChangeRecorder& changes) : db_(db), changes_(changes) {}

  core::Result<std::vector<CommandRun>> due(int max, std::int64_t nowMicros,
                                            const std::vector<std::string>& busy) override;
  using CommandRunStore::start;
  core::Result<std::vector<std::int64_t>> start(const std::vector<std::int64_t>& ids,
                                                std::int64_t nowMicros) override;
  core::Result<void> finish(const CommandOutcome& outcome, std::int64_t nowMicros) override;
  core::Result<void> release(std::int64_t id, std::int64_t nowMicros) override;
  core::Result<CrashRecovery> recoverInterrupted(std::int64_t nowMicros) override;
  core::Result<CommandRun> get(std::int64_t id) override;
  core::Result<CommandRun> rerun(std::int64_t id, std::int64_t attempts, std::int64_t nowMicros) override;

 private:
  // Runs `update` (SQL with ?1 the run's id, then `bind` for the rest) on run `id` inside a write,
  // recording the row's change in the feed. Returns the rows changed (0 or 1).
  core::Result<int> changeRun(std::int64_t id, const std::string& update, const std::function<void(Statement&)>& bind,
                              std::int64_t nowMicros);
  Database& db_;
  ChangeRecorder& changes_;
};

}  // namespace forgehook::store::sqlite
