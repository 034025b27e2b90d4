#pragma once
// The '*' globs of rules' repository, branch and tag lists. Pure.
#include <string_view>

namespace forgehook::rules {

// Whether `text` matches `pattern`, where '*' matches any run of characters ('/' included) and every
// other character only itself (case-sensitive): "org/*" matches "org/app", "release/*" "release/1.2".
[[nodiscard]] bool globMatches(std::string_view pattern, std::string_view text);

}  // namespace forgehook::rules
