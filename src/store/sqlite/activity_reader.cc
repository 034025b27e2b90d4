#include "store/sqlite/activity_reader.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "store/sqlite/bound_sql.h"
#include "store/sqlite/resource_sql.h"

namespace forgehook::store::sqlite {
namespace {

core::Error badQuery(std::string message) {
  return core::Error::invalidArgument("invalid_argument", std::move(message));
}

std::optional<std::int64_t> parseNumber(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A cursor is the last row's id, or "<time>.<id>" for resources ordered by time.
struct Cursor {
  std::optional<std::int64_t> time;
  std::int64_t row = 0;
};

std::optional<Cursor> parseCursor(std::string_view text, bool withTime) {
  Cursor c;
  if (withTime) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    c.time = parseNumber(text.substr(0, dot));
    if (!c.time) return std::nullopt;
    text.remove_prefix(dot + 1);
  }
  const auto row = parseNumber(text);
  if (!row || *row < 1) return std::nullopt;
  c.row = *row;
  return c;
}

}  // namespace

SqliteActivityReader::SqliteActivityReader(Database& db) : db_(db) { (void)resourceSql(Resource::Pulls); }

namespace {

// The query of one page: the rows' SQL and whether the cursor has a time part.
struct PageQuery {
  BoundSql sql;
  bool orderByTime = false;
  int limit = 0;
};

core::Result<PageQuery> pageQuery(const ResourceQuery& q) {
  const auto& spec = specOf(q.resource);
  const auto& sql = resourceSql(q.resource);
  if (q.limit < 1 || q.limit > 500) return std::unexpected(badQuery("limit must be between 1 and 500"));
  auto unsupported = [&](std::string_view filter) {
    return std::unexpected(badQuery(std::string(spec.name) + " cannot be filtered by " + std::string(filter)));
  };
  // The page's rows are chosen by their ids first and only then built as JSON: with a filter that
  // no index sorts (`/pulls?state=open` at 30,000 open pull requests), SQLite sorts whole result
  // rows, and built every matching row's JSON (correlated review and comment counts) to keep 50.
  BoundSql query{"SELECT " + sql.rowId + sql.from, {}};
  if (q.forge) query.add(" AND " + sql.forge + " = ", *q.forge);
  if (q.repository && !sql.repoKey.empty()) {
    // Activity rows without a repositories row (none of a repository's events write one) are not
    // matched by their recorded name here; every mapper writes the repository with its activity.
    query.params.emplace_back(*q.repository);
    std::string placeholder = "?";  // appended, not "?" + ...: GCC 12 warns falsely (-Wrestrict) on that
    placeholder += std::to_string(query.params.size());
    query.sql += " AND " + repositoryKeyMatch(sql.repoKey, placeholder);
  } else if (q.repository) {
    query.add(" AND " + sql.repository + " = ", *q.repository);
    query.sql += " COLLATE NOCASE";
  }
  if (q.since || q.until) {
    if (!accepts(spec, kFilterTime)) return unsupported("time");
    if (q.since) query.add(" AND " + sql.time + " >= ", *q.since);
    if (q.until) query.add(" AND " + sql.time + " < ", *q.until);
  }
  if (q.actor) {
    if (!accepts(spec, kFilterActor)) return unsupported(spec.actorParam.empty() ? "actor" : spec.actorParam);
    query.add(" AND " + sql.actor + " = ", *q.actor);
  }
  if (q.state) {
    if (!accepts(spec, kFilterState)) return unsupported("state");
    // With a repository, "+state": kept off the (state, ...) indexes, which SQLite would otherwise take
    // for a state most rows share and read every row in it for one repository's few.
    query.add(" AND " + std::string(q.repository && !sql.repoKey.empty() ? "+" : "") + sql.state + " = ", *q.state);
  }
  if (q.number) {
    if (!accepts(spec, kFilterNumber)) return unsupported("number");
    query.add(" AND " + sql.number + " = ", *q.number);
  }
  if (!q.kinds.empty()) {
    if (!accepts(spec, kFilterKind)) return unsupported("kind");
    query.sql += " AND y.kind IN (SELECT value FROM json_each(";
    query.add("", nlohmann::json(q.kinds).dump());
    query.sql += "))";
  }
  if (q.cursor) {
    const auto cursor = parseCursor(*q.cursor, sql.orderByTime);
    if (!cursor) return std::unexpected(badQuery("cursor is not one this API returned"));
    if (sql.orderByTime) {
      query.add(" AND (" + sql.time + " < ", *cursor->time);
      query.add(" OR (" + sql.time + " = ", *cursor->time);
      query.add(" AND " + sql.rowId + " < ", cursor->row);
      query.sql += "))";
    } else {
      query.add(" AND " + sql.rowId + " < ", cursor->row);
    }
  }
  std::string order = " ORDER BY ";
  if (sql.orderByTime) order += sql.time + " DESC, ";
  order += sql.rowId + " DESC";
  query.sql = sql.select + " AND " + sql.rowId + " IN (" + query.sql + order + " LIMIT " + std::to_string(q.limit + 1) +
              ")" + order;
  return PageQuery{std::move(query), sql.orderByTime, q.limit};
}

core::Result<ResourcePage> readPage(sqlite3* db, const PageQuery& query) {
  Statement s(db, query.sql.sql);
  query.sql.bindTo(s);
  ResourcePage page;
  std::string lastCursor;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.nextCursor = lastCursor;
      break;
    }
    lastCursor = std::to_string(s.integer(0));
    if (query.orderByTime) lastCursor = std::to_string(s.integer(1)) + "." + lastCursor;
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
