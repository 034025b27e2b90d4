#pragma once
// How each list resource (store/resources.h) is read from SQLite: its FROM clause, the columns its
// filters compare, and one SQL expression per field of its ResourceSpec. Rows are built as JSON by
// SQLite's json_object: a list page is spliced into the answer without parsing and re-serializing
// every row in C++, and a new field is one expression here plus its name in the catalog.
#include <string>

#include "store/resources.h"

namespace forgehook::store::sqlite {

struct ResourceSql {
  std::string from;                        // " FROM pulls p LEFT JOIN ... WHERE 1=1"
  std::string rowId;                       // unique, and the cursor's column
  std::string forge, repository;           // columns every resource filters on
  std::string time, actor, state, number;  // columns of the optional filters ("" when not accepted)
  bool orderByTime = false;                // newest by `time` first (then rowId), instead of by rowId
  // The alias of a table keyed by (forge, repo_id) and joined to repositories as `r`, or "": such a
  // resource filters by repository through repositoryKeyMatch (an index on its key), not r.full_name.
  std::string repoKey{};
  std::string object{};                    // "json_object(<field>, <expression>, ...)": the row as the API returns it
  // "SELECT <rowId>, <time or NULL>, " + object + from.
  std::string select{};
};

// "(<alias>.forge, <alias>.repo_id) IN (...)": the rows of the repositories named `placeholder`
// (case-insensitively, as the forges compare names), found by their key. Comparing r.full_name of
// a LEFT JOIN instead makes SQLite visit every row of the table for one repository's.
[[nodiscard]] std::string repositoryKeyMatch(const std::string& alias, const std::string& placeholder);

// Throws std::logic_error when a field of the catalog has no expression here (a unit test builds
// every resource once).
[[nodiscard]] const ResourceSql& resourceSql(Resource resource);

}  // namespace forgehook::store::sqlite
