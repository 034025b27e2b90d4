#include "forge/link_header.h"

#include <cctype>

namespace forgehook::forge {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> nextLink(std::string_view linkHeader) {
  // <url>; rel="next", <url>; rel="last"
  std::size_t at = 0;
  while (at < linkHeader.size()) {
    const auto open = linkHeader.find('<', at);
    if (open == std::string_view::npos) return std::nullopt;
    const auto close = linkHeader.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    const auto end = linkHeader.find('<', close);
    const std::string_view params = linkHeader.substr(close + 1, end == std::string_view::npos ? end : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos)
      return std::string(linkHeader.substr(open + 1, close - open - 1));
    if (end == std::string_view::npos) return std::nullopt;
    at = end;
  }
  return std::nullopt;
}

std::optional<std::string> queryParameter(std::string_view url, std::string_view name) {
  const auto question = url.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace forgehook::forge
