#include "store/postgres/pg_activity_reader.h"

#include "store/postgres/pg_values.h"
#include "store/resource_page_query.h"

namespace forgehook::store::postgres {
namespace {

core::Result<ResourcePage> readPage(PgConnection& conn, const PageQuery& query) {
  auto rows = conn.exec(query.sql, pgParams(query.params));
  if (!rows) return std::unexpected(rows.error());
  ResourcePage page;
  std::string lastCursor;
  for (int i = 0; i < rows->rows(); ++i) {
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.nextCursor = lastCursor;
      break;
    }
    lastCursor = resourceCursor(query.orderByTime, query.orderByTime ? rows->integer(i, 1) : 0, rows->integer(i, 0));
    page.items.push_back(rows->text(i, 2));
  }
  return page;
}

}  // namespace

core::Result<ResourcePage> PgActivityReader::listResource(const ResourceQuery& q) {
  auto query = resourcePageQuery(SqlDialect::Postgres, q);
  if (!query) return std::unexpected(query.error());
  auto conn = pool_.lease();
  if (!conn) return std::unexpected(conn.error());
  return readPage(**conn, *query);
}

core::Result<ActivityReader::Snapshot> PgActivityReader::snapshot(const std::vector<ResourceQuery>& queries) {
  std::vector<PageQuery> built;
  for (const auto& q : queries) {
    auto query = resourcePageQuery(SqlDialect::Postgres, q);
    if (!query) return std::unexpected(query.error());
    built.push_back(std::move(*query));
  }
  auto conn = pool_.lease();
  if (!conn) return std::unexpected(conn.error());
  auto& c = **conn;
  // One snapshot for the seq and the pages: the pages are the state after exactly the changes up
  // to the seq (the counter commits with the rows it numbers). Read-only: COMMIT ends it.
  if (auto begun = c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begun)
    return std::unexpected(begun.error());
  Snapshot out;
  auto newest = c.exec("SELECT seq FROM change_counter WHERE id = 1");
  if (!newest) return std::unexpected(newest.error());
  out.seq = newest->integer(0, 0);
  for (const auto& query : built) {
    auto page = readPage(c, query);
    if (!page) return std::unexpected(page.error());
    out.pages.push_back(std::move(*page));
  }
  if (auto done = c.exec("COMMIT"); !done) return std::unexpected(done.error());
  return out;
}

}  // namespace forgehook::store::postgres
