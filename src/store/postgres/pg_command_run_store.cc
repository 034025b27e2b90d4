#include "store/postgres/pg_command_run_store.h"

#include <algorithm>
#include <set>

#include "store/command_json.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_change_recorder.h"
#include "store/postgres/pg_node_lock.h"
#include "store/postgres/pg_text.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {
namespace {

constexpr const char* kColumns =
    "id, delivery, rule, delivery_guid, forge, repository, event, action, status, attempt, max_attempts, "
    "crash_reruns, argv, env, workdir, payload_mode, queued_at, next_attempt_at, started_at, ended_at, exit_code, "
    "signal, error, output, output_truncated";

PgParam number(std::int64_t value) { return std::to_string(value); }
PgParam optionalNumber(const std::optional<std::int64_t>& value) {
  return value ? number(*value) : PgParam(std::nullopt);
}

std::optional<std::int64_t> optionalInteger(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.integer(row, column);
}

CommandRun runFrom(const PgResult& r, int row) {
  CommandRun c;
  c.id = r.integer(row, 0);
  c.delivery = r.integer(row, 1);
  c.rule = r.text(row, 2);
  c.deliveryGuid = r.text(row, 3);
  c.forge = r.text(row, 4);
  c.repository = r.text(row, 5);
  c.event = r.text(row, 6);
  c.action = r.text(row, 7);
  c.status = r.text(row, 8);
  c.attempt = r.integer(row, 9);
  c.maxAttempts = r.integer(row, 10);
  c.crashReruns = r.integer(row, 11);
  c.argv = commandArgvFromJson(r.text(row, 12));
  c.env = commandEnvFromJson(r.text(row, 13));
  c.workdir = r.text(row, 14);
  c.payloadMode = r.text(row, 15);
  c.queuedAt = r.integer(row, 16);
  c.nextAttemptAt = r.integer(row, 17);
  c.startedAt = optionalInteger(r, row, 18);
  c.endedAt = optionalInteger(r, row, 19);
  c.exitCode = optionalInteger(r, row, 20);
  c.signal = optionalInteger(r, row, 21);
  if (!r.isNull(row, 22)) c.error = r.text(row, 22);
  if (!r.isNull(row, 23)) c.output = r.bytes(row, 23);
  c.outputTruncated = r.integer(row, 24) != 0;
  return c;
}

core::Error noRun(std::int64_t id) { return core::Error::notFound("no command run " + std::to_string(id)); }

}  // namespace

core::Result<std::vector<CommandRun>> PgCommandRunStore::due(int max, std::int64_t nowMicros,
                                                             const std::vector<std::string>& busy) {
  return pgRead(pool_, [&](PgConnection& c) -> core::Result<std::vector<CommandRun>> {
    // The partial index command_runs_due has this status condition. A negative `max` is no limit,
    // as SQLite reads LIMIT -1.
    auto rows = c.exec(std::string("SELECT ") + kColumns +
                           " FROM command_runs WHERE status IN ('queued', 'retrying') AND next_attempt_at <= $1 AND "
                           "rule <> ALL($3::text[]) ORDER BY next_attempt_at, id LIMIT $2",
                       {number(nowMicros), max < 0 ? PgParam(std::nullopt) : number(max), pgTextArray(busy)});
    if (!rows) return std::unexpected(rows.error());
    std::vector<CommandRun> out;
    for (int i = 0; i < rows->rows(); ++i) out.push_back(runFrom(*rows, i));
    return out;
  });
}

core::Result<int> PgCommandRunStore::changeRun(std::int64_t id, const std::string& update,
                                               const std::vector<PgParam>& params, std::int64_t nowMicros) {
  return pgTransaction(
      pool_,
      [&](PgConnection& c) -> core::Result<int> {
        // Locked before it is watched: the recorded before-image is the row this update replaces,
        // not one another node changes meanwhile (SQLite's one writer gives that for free).
        auto locked = c.exec("SELECT 1 FROM command_runs WHERE id = $1 FOR UPDATE", {number(id)});
        if (!locked) return std::unexpected(locked.error());
        if (locked->rows() == 0) return 0;
        PgChangeRecorder changes(c);
        if (auto watched = changes.watch(Resource::Commands, "c.id = ?1", {id}); !watched)
          return std::unexpected(watched.error());
        auto changed = c.exec(update, params);
        if (!changed) return std::unexpected(changed.error());
        if (auto recorded = changes.recordAndAppend(nowMicros); !recorded) return std::unexpected(recorded.error());
        return changed->rows();
      },
      // Not waiting for the disk, as the SQLite store's Sync::Relaxed: a claim or an end lost to a
      // crash of the database server leaves the run queued or running, and it runs once more, which
      // at-least-once allows. Waiting would cap commands at the server's sync rate.
      PgCommit::Relaxed);
}

core::Result<std::vector<std::int64_t>> PgCommandRunStore::start(const std::vector<std::int64_t>& ids,
                                                                 std::int64_t nowMicros) {
  if (ids.empty()) return std::vector<std::int64_t>{};
  return pgTransaction(
      pool_,
      [&](PgConnection& c) -> core::Result<std::vector<std::int64_t>> {
        // The runs still due, locked; one another scheduler is claiming right now is skipped: it is
        // that scheduler's. Once locked, a run stays due until this transaction ends.
        auto due = c.exec(
            "SELECT id FROM command_runs WHERE id = ANY($1::bigint[]) AND status IN ('queued', 'retrying') AND "
            "next_attempt_at <= $2 ORDER BY id FOR UPDATE SKIP LOCKED",
            {pgBigintArray(ids), number(nowMicros)});
        if (!due) return std::unexpected(due.error());
        if (due->rows() == 0) return std::vector<std::int64_t>{};
        std::vector<std::int64_t> locked;
        for (int i = 0; i < due->rows(); ++i) locked.push_back(due->integer(i, 0));
        const auto lockedIds = pgBigintArray(locked);
        PgChangeRecorder changes(c);
        if (auto watched = changes.watch(Resource::Commands, "c.id = ANY(?1::bigint[])", {lockedIds}); !watched)
          return std::unexpected(watched.error());
        auto started = c.exec(
            "UPDATE command_runs SET status = 'running', attempt = attempt + 1, started_at = $2, ended_at = NULL, "
            "exit_code = NULL, signal = NULL, error = NULL, output = NULL, output_truncated = 0, runner = $3 WHERE id = "
            "ANY($1::bigint[]) AND status IN ('queued', 'retrying') AND next_attempt_at <= $2 RETURNING id",
            {lockedIds, number(nowMicros), node_});
        if (!started) return std::unexpected(started.error());
        std::set<std::int64_t> taken;
        for (int i = 0; i < started->rows(); ++i) taken.insert(started->integer(i, 0));
        if (auto recorded = changes.recordAndAppend(nowMicros); !recorded) return std::unexpected(recorded.error());
        std::vector<std::int64_t> claimed;  // in the order given; an id given twice is claimed once
        for (const auto id : ids)
          if (taken.erase(id) > 0) claimed.push_back(id);
        return claimed;
      },
      PgCommit::Relaxed);  // as changeRun's: a lost claim only runs the command once more
}

core::Result<void> PgCommandRunStore::finish(const CommandOutcome& o, std::int64_t nowMicros) {
  auto changed = changeRun(
      o.id,
      "UPDATE command_runs SET status = CASE WHEN $2::bigint IS NULL THEN $3::text ELSE 'retrying' END, "
      "next_attempt_at = coalesce($2::bigint, 0), ended_at = $4, exit_code = $5, signal = $6, "
      "error = nullif($7::text, ''), output = $8, output_truncated = $9 WHERE id = $1 AND status = 'running' "
      "RETURNING 1",
      {number(o.id), optionalNumber(o.retryAt), o.status, number(nowMicros), optionalNumber(o.exitCode),
       optionalNumber(o.signal), storableText(o.error), PgParam::bytes(o.output), number(o.outputTruncated ? 1 : 0)},
      nowMicros);
  if (!changed) return std::unexpected(changed.error());
  if (*changed == 0) return std::unexpected(noRun(o.id));
  return {};
}

core::Result<void> PgCommandRunStore::release(std::int64_t id, std::int64_t nowMicros) {
  auto changed = changeRun(id,
                           "UPDATE command_runs SET status = CASE WHEN attempt > 1 THEN 'retrying' ELSE 'queued' END, "
                           "attempt = attempt - 1, started_at = NULL, next_attempt_at = 0 WHERE id = $1 AND "
                           "status = 'running' RETURNING 1",
                           {number(id)}, nowMicros);
  if (!changed) return std::unexpected(changed.error());
  return {};
}

core::Result<CrashRecovery> PgCommandRunStore::recoverInterrupted(std::int64_t nowMicros) {
  auto recovered = pgTransaction(pool_, [&](PgConnection& c) -> core::Result<CrashRecovery> {
    CrashRecovery recovery;
    // The runs found running whose node is gone, locked, and only they: one a scheduler claims
    // meanwhile is not taken for cut off, and their records' before-images are the rows replaced.
    // A node is gone when its liveness lock can be taken (held to the end of this transaction, so
    // a node of that name cannot start meanwhile); this node's own runs only at the first call.
    auto running = c.exec(
        "SELECT id FROM command_runs WHERE status = 'running' AND (CASE WHEN runner = $1 THEN $2::boolean WHEN "
        "runner IS NULL THEN true ELSE pg_try_advisory_xact_lock(" +
            std::string(kNodeLockClass) + ", hashtext(runner)) END) ORDER BY id FOR UPDATE",
        {node_, recoveredOwn_ ? "false" : "true"});
    if (!running) return std::unexpected(running.error());
    if (running->rows() == 0) return recovery;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < running->rows(); ++i) ids.push_back(running->integer(i, 0));
    const auto idArray = pgBigintArray(ids);
    PgChangeRecorder changes(c);
    // The SQLite store's watch (running runs), so the records are the same.
    if (auto watched =
            changes.watch(Resource::Commands, "c.status = 'running' AND c.id = ANY(?1::bigint[])", {idArray});
        !watched)
      return std::unexpected(watched.error());
    // The attempt that was cut off counts: its output is lost, and what it did may have happened.
    auto requeued = c.exec(
        "UPDATE command_runs SET status = 'queued', crash_reruns = crash_reruns + 1, next_attempt_at = 0, "
        "ended_at = $1, error = 'forgehook stopped during the run (crash or kill); run once more', "
        "max_attempts = greatest(max_attempts, attempt + 1) WHERE id = ANY($2::bigint[]) AND status = 'running' "
        "AND crash_reruns = 0 RETURNING 1",
        {number(nowMicros), idArray});
    if (!requeued) return std::unexpected(requeued.error());
    recovery.requeued = requeued->rows();
    auto givenUp = c.exec(
        "UPDATE command_runs SET status = 'interrupted', ended_at = $1, error = 'forgehook stopped during the run "
        "again after a re-run; not run again' WHERE id = ANY($2::bigint[]) AND status = 'running' RETURNING 1",
        {number(nowMicros), idArray});
    if (!givenUp) return std::unexpected(givenUp.error());
    recovery.givenUp = givenUp->rows();
    if (auto recorded = changes.recordAndAppend(nowMicros); !recorded) return std::unexpected(recorded.error());
    return recovery;
  });
  if (recovered) recoveredOwn_ = true;  // from now on this node's running runs are its own, alive
  return recovered;
}

core::Result<CommandRun> PgCommandRunStore::get(std::int64_t id) {
  return pgRead(pool_, [&](PgConnection& c) -> core::Result<CommandRun> {
    auto rows = c.exec(std::string("SELECT ") + kColumns + " FROM command_runs WHERE id = $1", {number(id)});
    if (!rows) return std::unexpected(rows.error());
    if (rows->rows() == 0) return std::unexpected(noRun(id));
    return runFrom(*rows, 0);
  });
}

core::Result<CommandRun> PgCommandRunStore::rerun(std::int64_t id, std::int64_t attempts, std::int64_t nowMicros) {
  auto current = get(id);
  if (!current) return std::unexpected(current.error());
  const auto notFinished = [&](const std::string& status) {
    return std::unexpected(core::Error::conflict(
        "command_not_finished", "command run " + std::to_string(id) + " is " + status + ": it has not finished"));
  };
  if (current->status == "queued" || current->status == "retrying" || current->status == "running")
    return notFinished(current->status);
  auto changed = changeRun(id,
                           "UPDATE command_runs SET status = 'queued', max_attempts = attempt + $3, next_attempt_at = "
                           "0, crash_reruns = 0, queued_at = $2 WHERE id = $1 AND status NOT IN ('queued', "
                           "'retrying', 'running') RETURNING 1",
                           {number(id), number(nowMicros), number(std::max<std::int64_t>(1, attempts))}, nowMicros);
  if (!changed) return std::unexpected(changed.error());
  if (*changed == 0) return notFinished("queued again");
  return get(id);
}

}  // namespace forgehook::store::postgres
