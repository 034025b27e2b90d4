#pragma once
// Turning a HookTarget's path into URL path segments safely: each segment percent-encoded, so a
// path like "../x" cannot walk to another API route. Thread-safe: pure functions.
#include <string>

#include "core/error.h"
#include "forge/forge_client.h"

namespace forgehook::forge {

// "owner/name" -> "owner/name" with each segment encoded. Errors: InvalidArgument "invalid_target"
// when the target is not exactly `segments` non-empty segments ("." and ".." refused).
[[nodiscard]] core::Result<std::string> encodedSegments(const HookTarget& target, int segments);

}  // namespace forgehook::forge
