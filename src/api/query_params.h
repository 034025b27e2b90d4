#pragma once
// Reading the query API's common parameters (repository, time range or timeframe, actor, state,
// cursor, limit) into a store query, with the one error style for bad values.
#include "core/error.h"
#include "http/request.h"
#include "store/model_query.h"

namespace forgehook::api {

// InvalidArgument "invalid_argument": the one error for a bad parameter or body field.
[[nodiscard]] core::Error invalidArgument(std::string message);

// github, gitlab or gitea.
[[nodiscard]] bool isKnownForge(std::string_view forge);
// The optional `forge` parameter. Errors: invalidArgument when it names no known forge.
[[nodiscard]] core::Result<std::optional<std::string>> readForge(const http::Request& request);

// `since` and `until` (RFC 3339 or Unix seconds) and `timeframe` (1h ... 30d: since = now - span),
// in Unix microseconds, each absent when not given. Errors: invalidArgument naming the parameter.
struct TimeRange {
  std::optional<std::int64_t> sinceMicros, untilMicros;
};
[[nodiscard]] core::Result<TimeRange> readTimeRange(const http::Request& request, std::int64_t nowMicros);

// Errors: InvalidArgument "invalid_argument" naming the parameter.
[[nodiscard]] core::Result<store::ResourceQuery> resourceQueryFrom(const http::Request& request, std::string resource,
                                                                   std::int64_t nowSeconds);

// "1h", "6h", "24h", "7d", "30d" in seconds; nothing for anything else.
[[nodiscard]] std::optional<std::int64_t> timeframeSeconds(std::string_view text);

[[nodiscard]] std::optional<std::int64_t> parseInteger(std::string_view text);

// `limit` (1-500) and `cursor` (a positive row id) of a list endpoint, into `limit` and `cursor`
// when present. Errors: InvalidArgument "invalid_argument".
[[nodiscard]] core::Result<void> readPaging(const http::Request& request, int& limit,
                                            std::optional<std::int64_t>& cursor);

}  // namespace forgehook::api
