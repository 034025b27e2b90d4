#pragma once
// JSON Pointer (RFC 6901) syntax, shared by the configuration check and the rule matcher. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::core {

// The reference tokens of `pointer`, unescaped ("~1" -> "/", "~0" -> "~"): "/a/b~1c" -> {"a", "b/c"};
// "" -> {} (the whole document). Nothing when it is not a pointer: no leading '/', or a '~' not
// followed by 0 or 1.
[[nodiscard]] std::optional<std::vector<std::string>> parseJsonPointer(std::string_view pointer);

}  // namespace forgehook::core
