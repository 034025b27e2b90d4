#pragma once
// The command runs of [[rules]] on PostgreSQL (table command_runs), with the SQLite store's
// semantics: every change of a run's status is recorded in the change feed in the same transaction
// (pg_change_recorder.h). Thread-safe. Nodes sharing the database never claim one run twice: a claim
// locks the runs it takes (FOR UPDATE SKIP LOCKED) and takes only those still due once locked.
//
// A running run records the node that runs it. recoverInterrupted takes a run for cut off when
// that node is gone (its liveness lock, pg_node_lock.h, is free), or when it is this node and
// this is its first call (a previous process of this node crashed): never a run a live node still
// runs, also when the "commands" job moves between live nodes (store/leadership.h).
#include <atomic>
#include <string>

#include "store/command_run_store.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

class PgCommandRunStore final : public CommandRunStore {
 public:
  // Requires: `pool` outlives this store.
  PgCommandRunStore(PgPool& pool, std::string node) : pool_(pool), node_(std::move(node)) {}

  core::Result<std::vector<CommandRun>> due(int max, std::int64_t nowMicros,
                                            const std::vector<std::string>& busy) override;
  using CommandRunStore::start;
  core::Result<std::vector<std::int64_t>> start(const std::vector<std::int64_t>& ids, std::int64_t nowMicros) override;
  core::Result<void> finish(const CommandOutcome& outcome, std::int64_t nowMicros) override;
  core::Result<void> release(std::int64_t id, std::int64_t nowMicros) override;
  core::Result<CrashRecovery> recoverInterrupted(std::int64_t nowMicros) override;
  core::Result<CommandRun> get(std::int64_t id) override;
  core::Result<CommandRun> rerun(std::int64_t id, std::int64_t attempts, std::int64_t nowMicros) override;

 private:
  // Runs `update` (SQL ending in RETURNING 1; `params` are its $1.., $1 the run's id) on run `id`
  // in one relaxed transaction (PgCommit::Relaxed), its row locked first, recording the row's
  // change in the feed. Returns the rows changed (0 or 1).
  core::Result<int> changeRun(std::int64_t id, const std::string& update, const std::vector<PgParam>& params,
                              std::int64_t nowMicros);
  PgPool& pool_;
  const std::string node_;
  std::atomic<bool> recoveredOwn_{false};  // this node's own runs are recovered at the first call only
};

}  // namespace forgehook::store::postgres
