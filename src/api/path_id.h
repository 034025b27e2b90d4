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

}  // namespace forgehook::api
