#pragma once
// Message digests on OpenSSL, for what is stored in place of a secret (API tokens are kept as the
// SHA-256 of their text). Thread-safe: no shared state.
#include <string>
#include <string_view>

namespace forgehook::core {

// Lower-case hex of SHA-256(data): 64 characters.
[[nodiscard]] std::string sha256Hex(std::string_view data);

}  // namespace forgehook::core
