#pragma once
// One page of a list resource as SQL, for either store: the filters a resource accepts checked, the
// values as parameters (placeholders in the store's dialect), the page's rows chosen by their ids
// before their JSON is built, and the cursor a row continues from.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/model_query.h"
#include "store/resource_sql.h"

namespace forgehook::store {

// The rows: (row id, time or NULL, the row's JSON), newest first; limit + 1 of them, so that one
// more than the page tells that a next page exists.
struct PageQuery {
  std::string sql;
  std::vector<FieldValue> params;  // in placeholder order
  bool orderByTime = false;        // the cursor has a time part
  int limit = 0;
};

// Errors: InvalidArgument for a filter the resource does not accept, a limit out of 1..500 or a
// cursor this API did not hand out.
[[nodiscard]] core::Result<PageQuery> resourcePageQuery(SqlDialect dialect, const ResourceQuery& query);

// The cursor that continues after the row (`time` only read when the resource orders by time).
[[nodiscard]] std::string resourceCursor(bool orderByTime, std::int64_t time, std::int64_t rowId);

}  // namespace forgehook::store
