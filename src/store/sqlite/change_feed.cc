#include "store/sqlite/change_feed.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "store/sqlite/bound_sql.h"

namespace forgehook::store::sqlite {
namespace {

constexpr int kPruneBatch = 2000;  // rows per pruning transaction: a short hold of the write lock

// The newest seq ever handed out (kept by AUTOINCREMENT even when every record was pruned) and the
// oldest still kept (0 when none).
struct Bounds {
  std::int64_t newest = 0, oldest = 0;
};
Bounds readBounds(sqlite3* db) {
  Bounds b;
  Statement newest(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
  if (newest.step() == SQLITE_ROW) b.newest = newest.integer(0);
  Statement oldest(db, "SELECT min(seq) FROM changes");
  if (oldest.step() == SQLITE_ROW && !oldest.isNull(0)) b.oldest = oldest.integer(0);
  return b;
}

}  // namespace

core::Result<ChangePage> SqliteChangeFeed::read(const ChangeQuery& q) {
  if (q.limit < 1 || q.limit > 1000)
    return std::unexpected(core::Error::invalidArgument("invalid_argument", "limit must be between 1 and 1000"));
  BoundSql query{
      "SELECT seq, at, resource, action, entity_id, coalesce(forge, ''), coalesce(repository, ''), data "
      "FROM changes WHERE seq > ?1",
      {q.after}};
  if (!q.resources.empty()) {
    query.add(" AND resource IN (SELECT value FROM json_each(", nlohmann::json(q.resources).dump());
    query.sql += "))";
  }
  if (q.forge) query.add(" AND forge = ", *q.forge);
  if (q.repository) {
    query.add(" AND repository = ", *q.repository);
    query.sql += " COLLATE NOCASE";
  }
  // The page ends before the first reset point after `after` (its value is set in the transaction).
  const auto resetParam = query.params.size();
  query.add(" AND seq < ", std::numeric_limits<std::int64_t>::max());
  query.sql += " ORDER BY seq LIMIT " + std::to_string(q.limit);
  return db_.read<ChangePage>([&](sqlite3* db) -> core::Result<ChangePage> {
    // One read transaction, so the bounds and the page describe the same state of the feed.
    execute(db, "BEGIN");
    ChangePage page;
    const auto bounds = readBounds(db);
    page.newestSeq = bounds.newest;
    page.oldestSeq = bounds.oldest;
    // Records after `after` were pruned when the oldest kept one is not the next, or none is kept
    // although newer ones were handed out.
    page.reset = bounds.oldest ? q.after < bounds.oldest - 1 : q.after < bounds.newest;
    // A resume point past the newest seq comes from another database (replaced, restored from an
    // older backup): following from it would skip records silently.
    if (q.after > bounds.newest) page.reset = true;
    // Otherwise the page ends at the next reset point, if any (a reader told to refetch already
    // has no use for one).
    Statement nextReset(db, "SELECT seq, reason FROM change_resets WHERE seq > ?1 ORDER BY seq LIMIT 1");
    if (!page.reset && nextReset.bind(1, q.after).step() == SQLITE_ROW) {
      page.resetAt = nextReset.integer(0);
      page.resetReason = nextReset.text(1);
    }
    query.params[resetParam] = page.resetAt ? page.resetAt : std::numeric_limits<std::int64_t>::max();
    Statement s(db, query.sql);
    query.bindTo(s);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
      page.changes.push_back(
          {s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7)});
    // A full page stops short of the reset point: the reader gets there with its next page.
    if (page.resetAt && static_cast<int>(page.changes.size()) == q.limit) {
      page.resetAt = 0;
      page.resetReason.clear();
    }
    if (page.resetAt) page.reset = true;
    execute(db, "COMMIT");
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return page;
  });
}

core::Result<std::int64_t> SqliteChangeFeed::newestSeq() {
  return db_.read<std::int64_t>([](sqlite3* db) -> core::Result<std::int64_t> { return readBounds(db).newest; });
}

core::Result<std::int64_t> SqliteChangeFeed::prune(const ChangeRetention& retention, std::int64_t now) {
  // The newest record always stays, so a reader can tell a pruned gap from an empty feed.
  auto pruned = db_.deleteInBatches(
      "DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE seq < (SELECT max(seq) FROM changes) AND "
      "(at < ?1 OR seq <= (SELECT max(seq) FROM changes) - ?2) ORDER BY seq LIMIT ?3)",
      [&](Statement& s) {
        s.bind(1, now - retention.maxAgeMicros).bind(2, retention.maxRecords).bind(3, std::int64_t{kPruneBatch});
      },
      kPruneBatch, retention.between);
  if (!pruned || *pruned == 0) return pruned;
  // A reset point before the oldest kept record changes nothing: a reader from before it is behind
  // what is kept and is told to refetch anyway. Only records going make one so.
  auto resets = db_.write([](sqlite3* db) -> core::Result<void> {
    must(execute(db, "DELETE FROM change_resets WHERE seq < (SELECT min(seq) FROM changes)"), SQLITE_OK);
    return {};
  }, Database::Sync::Relaxed);
  if (!resets) return std::unexpected(resets.error());
  return pruned;
}

}  // namespace forgehook::store::sqlite
