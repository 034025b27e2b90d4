#include "api/json_reply.h"

#include <nlohmann/json.hpp>

namespace forgehook::api {

http::Response jsonReply(const nlohmann::json& body, int status) {
  return http::jsonResponse(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace forgehook::api
