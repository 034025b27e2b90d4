#pragma once
// Which network addresses a callback may reach, and the checks on a callback URL. The guard
// against server-side request forgery: unless private networks are allowed, a callback may not
// reach loopback, link-local, private, shared (CGNAT), unspecified, multicast or reserved
// addresses, in IPv4, IPv6 or IPv4-mapped IPv6 form. Pure functions, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

struct sockaddr;

namespace forgehook::outbound {

enum class AddressClass {
  Public,
  Loopback,     // 127/8, ::1
  Private,      // 10/8, 172.16/12, 192.168/16, fc00::/7
  LinkLocal,    // 169.254/16, fe80::/10
  SharedCgnat,  // 100.64/10
  Unspecified,  // 0/8, ::
  Multicast,    // 224/4, ff00::/8
  Reserved,     // 240/4 and 255.255.255.255, 192.0.0/24, benchmarking 198.18/15, documentation ranges
};

// "a loopback address", "a private address"... for error texts.
[[nodiscard]] std::string_view describe(AddressClass c);

// The class of a numeric IPv4 or IPv6 address ("10.1.2.3", "::ffff:127.0.0.1", "[::1]"); nothing
// when the text is not a numeric address.
[[nodiscard]] std::optional<AddressClass> classifyAddress(std::string_view text);
// The class of a socket address (AF_INET or AF_INET6; anything else is Reserved).
[[nodiscard]] AddressClass classifySockaddr(const sockaddr* address);
// The numeric text of a socket address ("10.0.0.1", "::1").
[[nodiscard]] std::string addressText(const sockaddr* address);

struct CallbackUrl {
  std::string scheme;  // http | https
  std::string host;    // without IPv6 brackets
  int port = 0;        // the scheme's default when absent
};

// Parses a callback URL. Errors: InvalidArgument when it is not an absolute http(s) URL, carries
// credentials, or (unless `allowPrivate`) names a numeric address that is not Public.
[[nodiscard]] core::Result<CallbackUrl> checkCallbackUrl(std::string_view url, bool allowPrivate);

}  // namespace forgehook::outbound
