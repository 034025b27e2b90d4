#include "store/sqlite/command_run_store.h"

#include <algorithm>

#include "store/command_json.h"

namespace forgehook::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, delivery, rule, delivery_guid, forge, repository, event, action, status, attempt, max_attempts, "
    "crash_reruns, argv, env, workdir, payload_mode, queued_at, next_attempt_at, started_at, ended_at, exit_code, "
    "signal, error, output, output_truncated";

std::optional<std::int64_t> optionalInteger(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.integer(column);
}

CommandRun runFrom(const Statement& s) {
  CommandRun r;
  r.id = s.integer(0);
  r.delivery = s.integer(1);
  r.rule = s.text(2);
  r.deliveryGuid = s.text(3);
  r.forge = s.text(4);
  r.repository = s.text(5);
  r.event = s.text(6);
  r.action = s.text(7);
  r.status = s.text(8);
  r.attempt = s.integer(9);
  r.maxAttempts = s.integer(10);
  r.crashReruns = s.integer(11);
  r.argv = commandArgvFromJson(s.text(12));
  r.env = commandEnvFromJson(s.text(13));
  r.workdir = s.text(14);
  r.payloadMode = s.text(15);
  r.queuedAt = s.integer(16);
  r.nextAttemptAt = s.integer(17);
  r.startedAt = optionalInteger(s, 18);
  r.endedAt = optionalInteger(s, 19);
  r.exitCode = optionalInteger(s, 20);
  r.signal = optionalInteger(s, 21);
  if (!s.isNull(22)) r.error = s.text(22);
  if (!s.isNull(23)) r.output = std::string(s.blob(23));
  r.outputTruncated = s.integer(24) != 0;
  return r;
}

core::Error noRun(std::int64_t id) { return core::Error::notFound("no command run " + std::to_string(id)); }

}  // namespace

core::Result<std::vector<CommandRun>> SqliteCommandRunStore::due(int max, std::int64_t nowMicros,
                                                                 const std::vector<std::string>& busy) {
  return db_.read<std::vector<CommandRun>>([&](sqlite3* db) -> core::Result<std::vector<CommandRun>> {
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM command_runs INDEXED BY command_runs_due WHERE status IN ('queued', 'retrying') AND "
                      "next_attempt_at <= ?1";
    if (!busy.empty()) {
      sql += " AND rule NOT IN (";
      for (std::size_t i = 0; i < busy.size(); ++i) sql.append(i ? ", ?" : "?").append(std::to_string(i + 3));
      sql += ")";
    }
    sql += " ORDER BY next_attempt_at, id LIMIT ?2";
    Statement s(db, sql);
    s.bind(1, nowMicros).bind(2, static_cast<std::int64_t>(max));
    for (std::size_t i = 0; i < busy.size(); ++i) s.bind(static_cast<int>(i) + 3, busy[i]);
    std::vector<CommandRun> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(runFrom(s));
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return out;
  });
}

core::Result<int> SqliteCommandRunStore::changeRun(std::int64_t id, const std::string& update,
                                                   const std::function<void(Statement&)>& bind,
                                                   std::int64_t nowMicros) {
  int changed = 0;
  auto done = db_.write(
      [&](sqlite3* db) -> core::Result<void> {
        ChangeRecorder::Scope watching{changes_};
        changes_.watch(Resource::Commands, "c.id = ?1", {id});
        Statement s(db, update);
        s.bind(1, id);
        if (bind) bind(s);
        must(s.step());
        changed = sqlite3_changes(db);
        must(changes_.record(nowMicros));
        return {};
      },
      // Not waiting for fsync: a claim or an end lost to a power cut leaves the run queued or running,
      // and it runs once more, which at-least-once allows; a crash of forgehook loses neither. The
      // next durable commit (intake's) syncs them. Two fsyncs per command would cap commands at the
      // disk's sync rate.
      Database::Sync::Relaxed);
  if (!done) return std::unexpected(done.error());
  return changed;
}

core::Result<std::vector<std::int64_t>> SqliteCommandRunStore::start(const std::vector<std::int64_t>& ids,
                                                                      std::int64_t nowMicros) {
  std::vector<std::int64_t> claimed;
  if (ids.empty()) return claimed;
  auto done = db_.write(
      [&](sqlite3* db) -> core::Result<void> {
        claimed.clear();
        ChangeRecorder::Scope watching{changes_};
        std::string in;
        std::vector<FieldValue> params;
        for (const auto id : ids) {
          in.append(in.empty() ? "?" : ", ?").append(std::to_string(params.size() + 1));
          params.emplace_back(id);
        }
        changes_.watch(Resource::Commands, "c.id IN (" + in + ")", params);
        Statement s(db,
                    "UPDATE command_runs SET status = 'running', attempt = attempt + 1, started_at = ?2, ended_at = "
                    "NULL, exit_code = NULL, signal = NULL, error = NULL, output = NULL, output_truncated = 0 WHERE "
                    "id = ?1 AND status IN ('queued', 'retrying') AND next_attempt_at <= ?2");
        for (const auto id : ids) {
          must(s.bind(1, id).bind(2, nowMicros).run());
          if (sqlite3_changes(db) > 0) claimed.push_back(id);
        }
        must(changes_.record(nowMicros));
        return {};
      },
      Database::Sync::Relaxed);  // as changeRun's: a lost claim only runs the command once more
  if (!done) return std::unexpected(done.error());
  return claimed;
}

core::Result<void> SqliteCommandRunStore::finish(const CommandOutcome& o, std::int64_t nowMicros) {
  auto changed = changeRun(
      o.id,
      "UPDATE command_runs SET status = CASE WHEN ?2 IS NULL THEN ?3 ELSE 'retrying' END, next_attempt_at = "
      "coalesce(?2, 0), ended_at = ?4, exit_code = ?5, signal = ?6, error = nullif(?7, ''), output = ?8, "
      "output_truncated = ?9 WHERE id = ?1 AND status = 'running'",
      [&](Statement& s) {
        if (o.retryAt)
          s.bind(2, *o.retryAt);
        else
          s.bindNull(2);
        s.bind(3, o.status).bind(4, nowMicros);
        if (o.exitCode)
          s.bind(5, *o.exitCode);
        else
          s.bindNull(5);
        if (o.signal)
          s.bind(6, *o.signal);
        else
          s.bindNull(6);
        s.bind(7, o.error).bindBlob(8, o.output).bind(9, std::int64_t{o.outputTruncated ? 1 : 0});
      },
      nowMicros);
  if (!changed) return std::unexpected(changed.error());
  if (*changed == 0) return std::unexpected(noRun(o.id));
  return {};
}

core::Result<void> SqliteCommandRunStore::release(std::int64_t id, std::int64_t nowMicros) {
  auto changed = changeRun(id,
                           "UPDATE command_runs SET status = CASE WHEN attempt > 1 THEN 'retrying' ELSE 'queued' END, "
                           "attempt = attempt - 1, started_at = NULL, next_attempt_at = 0 WHERE id = ?1 AND "
                           "status = 'running'",
                           {}, nowMicros);
  if (!changed) return std::unexpected(changed.error());
  return {};
}

core::Result<CrashRecovery> SqliteCommandRunStore::recoverInterrupted(std::int64_t nowMicros) {
  CrashRecovery recovery;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    recovery = {};
    ChangeRecorder::Scope watching{changes_};
    changes_.watch(Resource::Commands, "c.status = 'running'", {});
    // The attempt that was cut off counts: its output is lost, and what it did may have happened.
    Statement requeue(db,
                      "UPDATE command_runs SET status = 'queued', crash_reruns = crash_reruns + 1, "
                      "next_attempt_at = 0, ended_at = ?1, error = 'forgehook stopped during the run (crash or "
                      "kill); run once more', max_attempts = max(max_attempts, attempt + 1) WHERE status = "
                      "'running' AND crash_reruns = 0");
    must(requeue.bind(1, nowMicros).step());
    recovery.requeued = sqlite3_changes(db);
    Statement giveUp(db,
                     "UPDATE command_runs SET status = 'interrupted', ended_at = ?1, error = 'forgehook stopped "
                     "during the run again after a re-run; not run again' WHERE status = 'running'");
    must(giveUp.bind(1, nowMicros).step());
    recovery.givenUp = sqlite3_changes(db);
    must(changes_.record(nowMicros));
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return recovery;
}

core::Result<CommandRun> SqliteCommandRunStore::get(std::int64_t id) {
  return db_.read<CommandRun>([&](sqlite3* db) -> core::Result<CommandRun> {
    Statement s(db, std::string("SELECT ") + kColumns + " FROM command_runs WHERE id = ?1");
    const int rc = s.bind(1, id).step();
    if (rc == SQLITE_DONE) return std::unexpected(noRun(id));
    if (rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    return runFrom(s);
  });
}

core::Result<CommandRun> SqliteCommandRunStore::rerun(std::int64_t id, std::int64_t attempts, std::int64_t nowMicros) {
  auto current = get(id);
  if (!current) return std::unexpected(current.error());
  const auto notFinished = [&](const std::string& status) {
    return std::unexpected(core::Error::conflict(
        "command_not_finished", "command run " + std::to_string(id) + " is " + status + ": it has not finished"));
  };
  if (current->status == "queued" || current->status == "retrying" || current->status == "running")
    return notFinished(current->status);
  auto changed = changeRun(
      id,
      "UPDATE command_runs SET status = 'queued', max_attempts = attempt + ?3, next_attempt_at = "
      "0, crash_reruns = 0, queued_at = ?2 WHERE id = ?1 AND status NOT IN ('queued', "
      "'retrying', 'running')",
      [&](Statement& s) { s.bind(2, nowMicros).bind(3, std::max<std::int64_t>(1, attempts)); }, nowMicros);
  if (!changed) return std::unexpected(changed.error());
  if (*changed == 0) return notFinished("queued again");
  return get(id);
}

}  // namespace forgehook::store::sqlite
