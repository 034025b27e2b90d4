#pragma once
// How each list resource (store/resources.h) is read from a database: its FROM clause, the columns
// its filters compare, and one SQL expression per field of its ResourceSpec, in the SQL of either
// store (SqlDialect). Rows are built as JSON by the database (SQLite's json_object, PostgreSQL's
// json_build_object): a list page is spliced into the answer without parsing and re-serializing
// every row in C++, and a new field is one expression here plus its name in the catalog. Both
// stores answer with the same JSON values (a test reads every resource from both and compares);
// the text differs in spacing (PostgreSQL writes `"k" : v`) and in whole floats (2 against 2.0).
#include <string>

#include "store/resources.h"

namespace forgehook::store {

enum class SqlDialect { Sqlite, Postgres };

struct ResourceSql {
  std::string from;                        // " FROM pulls p LEFT JOIN ... WHERE 1=1"
  std::string rowId;                       // unique, and the cursor's column
  std::string forge, repository;           // columns every resource filters on
  std::string time, actor, state, number;  // columns of the optional filters ("" when not accepted)
  bool orderByTime = false;                // newest by `time` first (then rowId), instead of by rowId
  // The alias of a table keyed by (forge, repo_id) and joined to repositories as `r`, or "": such a
  // resource filters by repository through repositoryKeyMatch (an index on its key), not r.full_name.
  std::string repoKey{};
  std::string object{};                    // the row as the API returns it, as one JSON object
  // "SELECT <rowId>, <time or NULL>, " + object + from.
  std::string select{};
};

// "(<alias>.forge, <alias>.repo_id) IN (...)": the rows of the repositories named `placeholder`
// (case-insensitively, as the forges compare names), found by their key. Comparing r.full_name of
// a LEFT JOIN instead makes SQLite visit every row of the table for one repository's.
[[nodiscard]] std::string repositoryKeyMatch(SqlDialect dialect, const std::string& alias, const std::string& placeholder);

// `left` = `right` as the forges compare names: case-insensitively.
[[nodiscard]] std::string sameName(SqlDialect dialect, const std::string& left, const std::string& right);

// Throws std::logic_error when a field of the catalog has no expression here (a unit test builds
// every resource once).
[[nodiscard]] const ResourceSql& resourceSql(SqlDialect dialect, Resource resource);

}  // namespace forgehook::store
