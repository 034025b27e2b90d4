#include "api/json_body.h"

#include <algorithm>

#include "api/query_params.h"

namespace forgehook::api {

core::Result<nlohmann::json> jsonBody(const http::Request& request, bool emptyAllowed) {
  if (request.body.empty() && emptyAllowed) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return std::unexpected(core::Error::invalidArgument("malformed_json", "request body must be a JSON object"));
  return body;
}

core::Result<void> onlyFields(const nlohmann::json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return std::unexpected(invalidArgument("unknown field \"" + key + "\""));
  return {};
}

core::Result<std::optional<std::string>> optionalString(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<std::string>{};
  if (!body[name].is_string()) return std::unexpected(invalidArgument(std::string(name) + " must be a string"));
  return std::optional<std::string>(body[name].get<std::string>());
}

}  // namespace forgehook::api
