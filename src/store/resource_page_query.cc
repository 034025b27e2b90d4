#include "store/resource_page_query.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace forgehook::store {
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

// Values are always parameters, never spliced into the text.
struct Bound {
  SqlDialect dialect;
  std::string sql;
  std::vector<FieldValue> params;
  // The placeholder of the parameter just added.
  std::string placeholder() const {
    std::string p = dialect == SqlDialect::Postgres ? "$" : "?";  // appended: GCC 12 warns falsely on "?" + ...
    return p += std::to_string(params.size());
  }
  void add(std::string_view clause, FieldValue value) {
    params.push_back(std::move(value));
    sql += clause;
    sql += placeholder();
  }
};

}  // namespace

core::Result<PageQuery> resourcePageQuery(SqlDialect dialect, const ResourceQuery& q) {
  const auto& spec = specOf(q.resource);
  const auto& sql = resourceSql(dialect, q.resource);
  if (q.limit < 1 || q.limit > 500) return std::unexpected(badQuery("limit must be between 1 and 500"));
  auto unsupported = [&](std::string_view filter) {
    return std::unexpected(badQuery(std::string(spec.name) + " cannot be filtered by " + std::string(filter)));
  };
  // The page's rows are chosen by their ids first and only then built as JSON: with a filter that
  // no index sorts (`/pulls?state=open` at 30,000 open pull requests), SQLite sorts whole result
  // rows, and built every matching row's JSON (correlated review and comment counts) to keep 50.
  Bound query{dialect, "SELECT " + sql.rowId + sql.from, {}};
  if (q.forge) query.add(" AND " + sql.forge + " = ", *q.forge);
  if (q.repository && !sql.repoKey.empty()) {
    // Activity rows without a repositories row (none of a repository's events write one) are not
    // matched by their recorded name here; every mapper writes the repository with its activity.
    query.params.emplace_back(*q.repository);
    query.sql += " AND " + repositoryKeyMatch(dialect, sql.repoKey, query.placeholder());
  } else if (q.repository) {
    query.params.emplace_back(*q.repository);
    query.sql += " AND " + sameName(dialect, sql.repository, query.placeholder());
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
    // With a repository, "+state" on SQLite: kept off the (state, ...) indexes, which SQLite would
    // otherwise take for a state most rows share and read every row in it for one repository's few.
    const bool offIndex = dialect == SqlDialect::Sqlite && q.repository && !sql.repoKey.empty();
    query.add(" AND " + std::string(offIndex ? "+" : "") + sql.state + " = ", *q.state);
  }
  if (q.number) {
    if (!accepts(spec, kFilterNumber)) return unsupported("number");
    query.add(" AND " + sql.number + " = ", *q.number);
  }
  if (!q.kinds.empty()) {
    if (!accepts(spec, kFilterKind)) return unsupported("kind");
    if (dialect == SqlDialect::Postgres) {
      query.add(" AND y.kind IN (SELECT jsonb_array_elements_text(", nlohmann::json(q.kinds).dump());
      query.sql += "::jsonb))";
    } else {
      query.add(" AND y.kind IN (SELECT value FROM json_each(", nlohmann::json(q.kinds).dump());
      query.sql += "))";
    }
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
  return PageQuery{std::move(query.sql), std::move(query.params), sql.orderByTime, q.limit};
}

std::string resourceCursor(bool orderByTime, std::int64_t time, std::int64_t rowId) {
  std::string cursor = orderByTime ? std::to_string(time) + "." : std::string();
  return cursor += std::to_string(rowId);
}


}  // namespace forgehook::store
