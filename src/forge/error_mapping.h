#pragma once
// Turns a forge's refusal into the error forge_client.h promises, with the forge's own words and a
// hint about what to fix (a missing permission, a token that cannot see the repository).
#include "core/error.h"
#include "core/forge.h"
#include "forge/forge_http.h"

namespace forgehook::forge {

// Requires: `response` is not 2xx/304. The message names the request by method and path only.
[[nodiscard]] core::Error errorFromAnswer(core::Forge forge, const HttpRequest& request,
                                          const HttpResponse& response);

// "GET /repos/o/r/hooks": the request without scheme, host, query or any header.
[[nodiscard]] std::string describeRequest(const HttpRequest& request);

}  // namespace forgehook::forge
