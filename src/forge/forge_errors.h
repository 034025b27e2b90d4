#pragma once
// Builders for the error reasons forge_client.h promises its callers, so each is spelled once.
#include <string>

#include "core/error.h"

namespace forgehook::forge {

[[nodiscard]] core::Error forgeUnauthorized(std::string message);
[[nodiscard]] core::Error forgeForbidden(std::string message);
[[nodiscard]] core::Error forgeNotFound(std::string message);
[[nodiscard]] core::Error forgeRejected(std::string message);
[[nodiscard]] core::Error forgeRateLimited(std::string message, int retryAfterSeconds);
[[nodiscard]] core::Error forgeUnavailable(std::string message, int retryAfterSeconds = 0);
[[nodiscard]] core::Error notSupported(std::string message);

}  // namespace forgehook::forge
