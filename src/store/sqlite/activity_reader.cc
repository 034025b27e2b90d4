#include "store/sqlite/activity_reader.h"

#include "store/resource_page_query.h"
#include "store/sqlite/bound_sql.h"
#include "store/sqlite/resource_sql.h"

namespace forgehook::store::sqlite {

SqliteActivityReader::SqliteActivityReader(Database& db) : db_(db) { (void)resourceSql(Resource::Pulls); }

namespace {

core::Result<PageQuery> pageQuery(const ResourceQuery& q) { return resourcePageQuery(SqlDialect::Sqlite, q); }

core::Result<ResourcePage> readPage(sqlite3* db, const PageQuery& query) {
  Statement s(db, query.sql);
  BoundSql{query.sql, query.params}.bindTo(s);
  ResourcePage page;
  std::string lastCursor;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.nextCursor = lastCursor;
      break;
    }
    lastCursor = resourceCursor(query.orderByTime, query.orderByTime ? s.integer(1) : 0, s.integer(0));
    page.items.push_back(s.text(2));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(storeError(rc));
  return page;
}

}  // namespace

core::Result<ResourcePage> SqliteActivityReader::listResource(const ResourceQuery& q) {
  auto query = pageQuery(q);
  if (!query) return std::unexpected(query.error());
  return db_.read<ResourcePage>([&](sqlite3* db) { return readPage(db, *query); });
}

core::Result<ActivityReader::Snapshot> SqliteActivityReader::snapshot(const std::vector<ResourceQuery>& queries) {
  std::vector<PageQuery> built;
  for (const auto& q : queries) {
    auto query = pageQuery(q);
    if (!query) return std::unexpected(query.error());
    built.push_back(std::move(*query));
  }
  // One read transaction (Database::read): the WAL snapshot that the pages and the seq share. The
  // seq is read from the change feed's table, written in the same transactions as the rows.
  return db_.read<Snapshot>([&](sqlite3* db) -> core::Result<Snapshot> {
    // Statements outside a transaction each see the newest commit: one deferred transaction holds
    // the first read's snapshot for all of them. Read-only, so COMMIT ends it whatever happened.
    if (const int rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK)
      return std::unexpected(storeError(rc));
    struct EndTransaction {
      sqlite3* db;
      ~EndTransaction() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
    } end{db};
    Snapshot out;
    // The newest seq handed out, not the newest record's: a rebuild's reset point has no record,
    // and following from before it would reset the client right after its snapshot.
    Statement newest(db, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)");
    if (const int rc = newest.step(); rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    out.seq = newest.integer(0);
    for (const auto& query : built) {
      auto page = readPage(db, query);
      if (!page) return std::unexpected(page.error());
      out.pages.push_back(std::move(*page));
    }
    return out;
  });
}

}  // namespace forgehook::store::sqlite
