#pragma once
// Percent-encoding for the URLs and form bodies the CLI sends.
#include <cctype>
#include <string>
#include <string_view>

namespace forgehook::cli {

// Every byte but RFC 3986's unreserved ones (and those in `keep`) as %XX.
inline std::string percentEncode(std::string_view value, std::string_view keep = "") {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        keep.find(static_cast<char>(c)) != keep.npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A query parameter value for the admin API; owner/name and times stay readable.
inline std::string queryEscape(std::string_view value) { return percentEncode(value, "/:"); }

}  // namespace forgehook::cli
