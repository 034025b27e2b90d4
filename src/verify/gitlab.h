#pragma once
// GitLab's shared-token scheme: X-Gitlab-Token carries the secret itself. Thread-safe.
#include <span>
#include <string>
#include <string_view>

#include "verify/hmac.h"
#include "verify/outcome.h"

namespace forgehook::verify {

// Compares the header with each accepted token in constant time. Match{"token", index};
// Failure::Missing for an empty header, Mismatch otherwise.
[[nodiscard]] Outcome verifyGitlabToken(std::string_view tokenHeader, std::span<const std::string> tokens,
                                        EqualsFn equals = constantTimeEquals);

}  // namespace forgehook::verify
