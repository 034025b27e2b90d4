#pragma once
// Reading the query API's common parameters (repository, time range or timeframe, actor, state,
// cursor, limit) into a store query, with the one error style for bad values.
#include "core/error.h"
#include "http/request.h"
#include "store/model_query.h"

namespace forgehook::api {

// Errors: InvalidArgument "invalid_argument" naming the parameter.
[[nodiscard]] core::Result<store::ResourceQuery> resourceQueryFrom(const http::Request& request, std::string resource,
                                                                   std::int64_t nowSeconds);

// "1h", "6h", "24h", "7d", "30d" in seconds; nothing for anything else.
[[nodiscard]] std::optional<std::int64_t> timeframeSeconds(std::string_view text);

[[nodiscard]] std::optional<std::int64_t> parseInteger(std::string_view text);

// `limit` (1-500) and `cursor` (a positive row id) of a list endpoint, into `limit` and `cursor`
// when present. Errors: InvalidArgument "invalid_argument".
[[nodiscard]] core::Result<void> readPaging(const http::Request& request, int& limit, std::optional<std::int64_t>& cursor);

}  // namespace forgehook::api
