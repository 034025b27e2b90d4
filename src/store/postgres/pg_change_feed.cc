#include "store/postgres/pg_change_feed.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <limits>
#include <stdexcept>

#include "core/thread_name.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {
namespace {

constexpr int kPruneBatch = 2000;         // rows per pruning transaction, as in the SQLite store
constexpr int kReconnectDelayMs = 1000;  // after a lost listening connection

}  // namespace

PgChangeFeed::~PgChangeFeed() {
  stopListening();
  if (wake_ >= 0) ::close(wake_);
}

void PgChangeFeed::stopListening() {
  stopping_ = true;
  if (wake_ >= 0) {
    const std::uint64_t one = 1;
    (void)::write(wake_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
}

core::Result<ChangePage> PgChangeFeed::read(const ChangeQuery& q) {
  if (q.limit < 1 || q.limit > 1000)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 1000"));
  auto conn = pool_.lease();
  if (!conn) return std::unexpected(conn.error());
  auto& c = **conn;
  // One snapshot, so the bounds and the page describe the same state of the feed.
  if (auto begun = c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begun)
    return std::unexpected(begun.error());
  auto bounds = c.exec("SELECT (SELECT seq FROM change_counter WHERE id = 1), (SELECT coalesce(min(seq), 0) FROM changes)");
  if (!bounds) return std::unexpected(bounds.error());
  ChangePage page;
  page.newestSeq = bounds->integer(0, 0);
  page.oldestSeq = bounds->integer(0, 1);
  // As in the SQLite store: records after `after` were pruned, or `after` is from another database.
  page.reset = page.oldestSeq ? q.after < page.oldestSeq - 1 : q.after < page.newestSeq;
  if (q.after > page.newestSeq) page.reset = true;
  if (!page.reset) {
    auto next = c.exec("SELECT seq, reason FROM change_resets WHERE seq > $1 ORDER BY seq LIMIT 1",
                       {std::to_string(q.after)});
    if (!next) return std::unexpected(next.error());
    if (next->rows() > 0) {
      page.resetAt = next->integer(0, 0);
      page.resetReason = next->text(0, 1);
    }
  }
  std::string sql =
      "SELECT seq, at, resource, action, entity_id, coalesce(forge, ''), coalesce(repository, ''), data FROM changes "
      "WHERE seq > $1 AND seq < $2";
  std::vector<PgParam> params{std::to_string(q.after),
                              std::to_string(page.resetAt ? page.resetAt : std::numeric_limits<std::int64_t>::max())};
  if (!q.resources.empty()) {
    params.emplace_back(pgTextArray(q.resources));
    sql += " AND resource = ANY($" + std::to_string(params.size()) + "::text[])";
  }
  if (q.forge) {
    params.emplace_back(*q.forge);
    sql += " AND forge = $" + std::to_string(params.size());
  }
  if (q.repository) {
    params.emplace_back(*q.repository);
    sql += " AND lower(repository) = lower($" + std::to_string(params.size()) + ")";
  }
  sql += " ORDER BY seq LIMIT " + std::to_string(q.limit);
  auto rows = c.exec(sql, params);
  if (!rows) return std::unexpected(rows.error());
  for (int i = 0; i < rows->rows(); ++i)
    page.changes.push_back({rows->integer(i, 0), rows->integer(i, 1), rows->text(i, 2), rows->text(i, 3),
                            rows->text(i, 4), rows->text(i, 5), rows->text(i, 6), rows->text(i, 7)});
  // A full page stops short of the reset point: the reader gets there with its next page.
  if (page.resetAt && static_cast<int>(page.changes.size()) == q.limit) {
    page.resetAt = 0;
    page.resetReason.clear();
  }
  if (page.resetAt) page.reset = true;
  if (auto done = c.exec("COMMIT"); !done) return std::unexpected(done.error());
  return page;
}

core::Result<std::int64_t> PgChangeFeed::newestSeq() {
  auto row = pool_.exec("SELECT seq FROM change_counter WHERE id = 1");
  if (!row) return std::unexpected(row.error());
  return row->integer(0, 0);
}

core::Result<std::int64_t> PgChangeFeed::prune(const ChangeRetention& retention, std::int64_t now) {
  std::int64_t total = 0;
  for (;;) {
    std::int64_t deleted = 0;
    {
      // The newest record always stays, so a reader can tell a pruned gap from an empty feed.
      auto rows = pool_.exec(
          "WITH newest AS (SELECT max(seq) AS top FROM changes) DELETE FROM changes WHERE seq IN (SELECT c.seq FROM "
          "changes c, newest WHERE c.seq < newest.top AND (c.at < $1 OR c.seq <= newest.top - $2) "
          "ORDER BY c.seq LIMIT $3) RETURNING 1",
          {std::to_string(now - retention.maxAgeMicros), std::to_string(retention.maxRecords),
           std::to_string(kPruneBatch)});
      if (!rows) return std::unexpected(rows.error());
      deleted = rows->rows();
    }
    total += deleted;
    if (deleted < kPruneBatch) break;
    if (retention.between && !retention.between()) break;
  }
  if (total == 0) return total;
  // A reset point before the oldest kept record changes nothing: only records going make one so.
  if (auto resets = pool_.exec("DELETE FROM change_resets WHERE seq < (SELECT min(seq) FROM changes)"); !resets)
    return std::unexpected(resets.error());
  return total;
}

void PgChangeFeed::setCommitListener(std::function<void()> listener) {
  // None: the listening thread ends (a stopping node), and with it every call of the listener.
  if (!listener) {
    stopListening();
    return;
  }
  // Once: a second thread would race the first for listener_.
  if (thread_.joinable() || stopping_) throw std::logic_error("the change feed's commit listener is set once");
  listener_ = std::move(listener);
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { listen(); });
}

void PgChangeFeed::listen() {
  core::nameThisThread("fh-pg-listen");
  while (!stopping_) {
    auto conn = PgConnection::open(settings_);
    if (conn && conn->exec(std::string("LISTEN ") + kChangesChannel)) {
      listener_();  // what committed while this node was not listening
      PGconn* raw = conn->raw();
      while (!stopping_) {
        pollfd fds[2] = {{PQsocket(raw), POLLIN, 0}, {wake_, POLLIN, 0}};
        const int ready = ::poll(fds, 2, catchUpMs_);
        if (stopping_) return;
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP))) {
          if (PQconsumeInput(raw) == 0) break;  // connection lost: reconnect
          bool notified = false;
          while (PGnotify* n = PQnotifies(raw)) {
            notified = true;
            PQfreemem(n);
          }
          if (notified) listener_();
        } else if (ready == 0) {
          listener_();  // the catch-up tick
        }
      }
    }
    // Not connected: wait (or stop), then try again. The listener is still called on every try:
    // other nodes' records reach the feed whether or not this node hears of them.
    pollfd wake{wake_, POLLIN, 0};
    (void)::poll(&wake, 1, kReconnectDelayMs);
    if (!stopping_) listener_();
  }
}

}  // namespace forgehook::store::postgres
