#include "outbound/address_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>

namespace forgehook::outbound {
namespace {

AddressClass classifyV4(std::uint32_t a) {  // host byte order
  auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x00000000, 8)) return AddressClass::Unspecified;
  if (in(0x7F000000, 8)) return AddressClass::Loopback;
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return AddressClass::Private;
  if (in(0xA9FE0000, 16)) return AddressClass::LinkLocal;
  if (in(0x64400000, 10)) return AddressClass::SharedCgnat;
  if (in(0xE0000000, 4)) return AddressClass::Multicast;
  if (in(0xF0000000, 4) || in(0xC0000000, 24) || in(0xC6120000, 15) || in(0xC0000200, 24) || in(0xC6336400, 24) ||
      in(0xCB007100, 24))
    return AddressClass::Reserved;
  return AddressClass::Public;
}

AddressClass classifyV6(const unsigned char* b) {
  static constexpr std::array<unsigned char, 16> kZero{};
  static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  auto v4 = [](const unsigned char* p) {
    return classifyV4((std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3]);
  };
  if (std::memcmp(b, kZero.data(), 16) == 0) return AddressClass::Unspecified;
  if (std::memcmp(b, kZero.data(), 15) == 0 && b[15] == 1) return AddressClass::Loopback;
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms reach IPv4.
  if (std::memcmp(b, kMapped.data(), 12) == 0 || std::memcmp(b, kZero.data(), 12) == 0) return v4(b + 12);
  // NAT64 (64:ff9b::/96) embeds an IPv4 address too.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && std::memcmp(b + 4, kZero.data(), 8) == 0)
    return v4(b + 12);
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::Private;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::LinkLocal;
  if (b[0] == 0xff) return AddressClass::Multicast;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::Reserved;  // documentation
  return AddressClass::Public;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};
using CurlText = std::unique_ptr<char, CurlFree>;

std::optional<std::string> part(CURLU* url, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, which, &text, flags) != CURLUE_OK || !text) return std::nullopt;
  CurlText owned(text);
  return std::string(text);
}

core::Error badUrl(std::string message) { return core::Error::invalidArgument("invalid_argument", std::move(message)); }

}  // namespace

std::string_view describe(AddressClass c) {
  switch (c) {
    case AddressClass::Public:
      return "a public address";
    case AddressClass::Loopback:
      return "a loopback address";
    case AddressClass::Private:
      return "a private address";
    case AddressClass::LinkLocal:
      return "a link-local address";
    case AddressClass::SharedCgnat:
      return "a shared (carrier-grade NAT) address";
    case AddressClass::Unspecified:
      return "an unspecified address";
    case AddressClass::Multicast:
      return "a multicast address";
    case AddressClass::Reserved:
      return "a reserved address";
  }
  return "an unknown address";
}

std::optional<AddressClass> classifyAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const std::string s(text);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return classifyV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return classifyV6(v6.s6_addr);
  return std::nullopt;
}

AddressClass classifySockaddr(const sockaddr* address) {
  if (address->sa_family == AF_INET)
    return classifyV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6)
    return classifyV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
  return AddressClass::Reserved;
}

std::string addressText(const sockaddr* address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buffer, sizeof buffer);
  else if (address->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buffer, sizeof buffer);
  return buffer;
}

core::Result<CallbackUrl> checkCallbackUrl(std::string_view text, bool allowPrivate) {
  if (text.empty() || text.size() > 2048) return std::unexpected(badUrl("url is required: at most 2048 characters"));
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return std::unexpected(core::Error::internal("cannot allocate a URL"));
  if (curl_url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK)
    return std::unexpected(badUrl("url must be an absolute http:// or https:// URL"));
  CallbackUrl out;
  out.scheme = part(url.get(), CURLUPART_SCHEME).value_or("");
  if (out.scheme != "http" && out.scheme != "https")
    return std::unexpected(badUrl("url must use http or https (got \"" + out.scheme + "\")"));
  if (part(url.get(), CURLUPART_USER) || part(url.get(), CURLUPART_PASSWORD))
    return std::unexpected(badUrl("url must not carry credentials (user:password@): sign requests with the secret"));
  auto host = part(url.get(), CURLUPART_HOST);
  if (!host || host->empty()) return std::unexpected(badUrl("url has no host"));
  out.host = host->size() >= 2 && host->front() == '[' ? host->substr(1, host->size() - 2) : *host;
  out.port = std::stoi(part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("0"));
  if (!allowPrivate) {
    if (auto c = classifyAddress(out.host); c && *c != AddressClass::Public)
      return std::unexpected(badUrl("url host " + *host + " is " + std::string(describe(*c)) +
                                    ": refused while subscriptions.allow_private_networks is off"));
  }
  return out;
}

}  // namespace forgehook::outbound
