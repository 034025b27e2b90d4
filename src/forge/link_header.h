#pragma once
// Reading pagination from an RFC 8288 Link header (GitHub, Gitea and GitLab all page this way) and
// the small URL pieces the clients build paths from. Thread-safe: pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "core/form.h"

namespace forgehook::forge {

// The URL of the rel="next" link in `linkHeader`, if there is one.
[[nodiscard]] std::optional<std::string> nextLink(std::string_view linkHeader);

// The decoded value of query parameter `name` in `url`, if present.
[[nodiscard]] std::optional<std::string> queryParameter(std::string_view url, std::string_view name);

using core::percentEncode;

}  // namespace forgehook::forge
