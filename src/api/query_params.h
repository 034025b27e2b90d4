#pragma once
// Reading the query API's parameters, strictly: an endpoint names the parameters it accepts, and a
// request with any other (a typo such as `repo=`), a repeated one or a malformed escape is refused
// with 400 invalid_argument rather than silently answered as if the filter were absent. Then the
// common ones (forge, repository, time range or timeframe, actor, state, cursor, limit) are read
// into store queries with the one error style for bad values.
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/request.h"
#include "store/model_query.h"

namespace forgehook::api {

// InvalidArgument "invalid_argument": the one error for a bad parameter or body field.
[[nodiscard]] core::Error invalidArgument(std::string message);

// Errors: invalidArgument naming the first parameter that is not in `accepted`, is repeated, or
// is not percent-encoded, and listing what the endpoint accepts.
[[nodiscard]] core::Result<void> checkParams(const http::Request& request, std::span<const std::string_view> accepted);

// The parameters GET /api/v1/<spec.name> accepts: forge, repository, limit, cursor and its filters.
[[nodiscard]] std::vector<std::string_view> listParams(const store::ResourceSpec& spec);

// github, gitlab or gitea.
[[nodiscard]] bool isKnownForge(std::string_view forge);
// The optional `forge` parameter. Errors: invalidArgument when it names no known forge.
[[nodiscard]] core::Result<std::optional<std::string>> readForge(const http::Request& request);

// `since` and `until` (RFC 3339 or Unix seconds) and `timeframe` (1h ... 30d: since = now - span),
// in Unix microseconds, each absent when not given. Errors: invalidArgument naming the parameter,
// or when since is not before until.
struct TimeRange {
  std::optional<std::int64_t> sinceMicros, untilMicros;
};
[[nodiscard]] core::Result<TimeRange> readTimeRange(const http::Request& request, std::int64_t nowMicros);

// `value` when it is one of `allowed`. Errors: invalidArgument listing them.
[[nodiscard]] core::Result<void> checkOneOf(std::string_view name, std::string_view value,
                                            std::span<const std::string_view> allowed);

// The list query of `spec` (its parameters already checked). Errors: InvalidArgument
// "invalid_argument" naming the parameter.
[[nodiscard]] core::Result<store::ResourceQuery> resourceQueryFrom(const http::Request& request,
                                                                   const store::ResourceSpec& spec,
                                                                   std::int64_t nowSeconds);

// "1h", "6h", "24h", "7d", "30d" in seconds; nothing for anything else.
[[nodiscard]] std::optional<std::int64_t> timeframeSeconds(std::string_view text);

[[nodiscard]] std::optional<std::int64_t> parseInteger(std::string_view text);

// `limit` (1-500) into `limit` when present. Errors: InvalidArgument "invalid_argument".
[[nodiscard]] core::Result<void> readLimit(const http::Request& request, int& limit);

}  // namespace forgehook::api
