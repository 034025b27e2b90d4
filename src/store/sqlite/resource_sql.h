#pragma once
// The list resources' SQL in SQLite's dialect (store/resource_sql.h), under the names the SQLite
// store's readers and recorder use.
#include <string>

#include "store/resource_sql.h"

namespace forgehook::store::sqlite {

using store::ResourceSql;

[[nodiscard]] inline const ResourceSql& resourceSql(Resource resource) {
  return store::resourceSql(SqlDialect::Sqlite, resource);
}

[[nodiscard]] inline std::string repositoryKeyMatch(const std::string& alias, const std::string& placeholder) {
  return store::repositoryKeyMatch(SqlDialect::Sqlite, alias, placeholder);
}

}  // namespace forgehook::store::sqlite
