#pragma once
// The admin API's JSON answers: one serialization for every endpoint. Strings from deliveries may
// hold invalid UTF-8 (a forge sent it); it is replaced rather than failing the answer.
#include <nlohmann/json_fwd.hpp>

#include "http/request.h"

namespace forgehook::api {

[[nodiscard]] http::Response jsonReply(const nlohmann::json& body, int status = 200);

}  // namespace forgehook::api
