#pragma once
// The numeric id in a path /api/v1/<collection>/<id>[/<suffix>].
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/request.h"

namespace forgehook::api {

// The positive id between `prefix` and `suffix`; nothing when the path has another shape.
[[nodiscard]] std::optional<std::int64_t> pathId(const http::Request& request, std::string_view prefix,
                                                 std::string_view suffix = "");

// The positive id after `prefix` and what follows it: "/api/v1/subscriptions/7/messages" with
// prefix "/api/v1/subscriptions/" is {7, "/messages"}; the rest is "" for the item itself.
struct PathTarget {
  std::int64_t id = 0;
  std::string_view rest;
};
[[nodiscard]] std::optional<PathTarget> pathTarget(const http::Request& request, std::string_view prefix);

}  // namespace forgehook::api
