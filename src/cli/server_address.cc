#include "cli/server_address.h"

namespace forgehook::cli {

std::string normalizeServerUrl(const std::string& text) {
  std::string url = text.find("://") == std::string::npos ? "http://" + text : text;
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

std::string urlFromBoundAddress(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return normalizeServerUrl(address);
  std::string host = address.substr(0, colon);
  // `serve` may bind every interface; connecting to the wildcard address is not portable.
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return "http://" + host + address.substr(colon);
}

}  // namespace forgehook::cli
