#pragma once
// Reading a request's JSON object body, with the one error style for bad fields.
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/request.h"

namespace forgehook::api {

// The body as a JSON object; `{}` when empty and `emptyAllowed`. Errors: InvalidArgument
// "malformed_json".
[[nodiscard]] core::Result<nlohmann::json> jsonBody(const http::Request& request, bool emptyAllowed);

// A string member, or nothing when absent or null. Errors: invalidArgument when of another type.
[[nodiscard]] core::Result<std::optional<std::string>> optionalString(const nlohmann::json& body, const char* name);

// Errors: invalidArgument `unknown field "NAME"` for the first member not in `allowed`.
[[nodiscard]] core::Result<void> onlyFields(const nlohmann::json& body,
                                            std::initializer_list<std::string_view> allowed);

}  // namespace forgehook::api
