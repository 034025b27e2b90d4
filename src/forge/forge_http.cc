#include "forge/forge_http.h"

#include <algorithm>
#include <cctype>

namespace forgehook::forge {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  const auto sameName = [name](const std::string& candidate) {
    return std::ranges::equal(candidate, name, [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
  };
  for (const auto& [key, value] : headers)
    if (sameName(key)) return value;
  return std::nullopt;
}

}  // namespace forgehook::forge
