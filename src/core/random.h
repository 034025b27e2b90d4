#pragma once
// Secrets and tokens from the operating system's CSPRNG (OpenSSL RAND_bytes). Thread-safe.
#include <cstddef>
#include <string>

namespace forgehook::core {

// `bytes` random bytes as lower-case hex (2 * bytes characters). Throws std::runtime_error if the
// CSPRNG fails, which only happens at start-up on a broken system.
[[nodiscard]] std::string randomHex(std::size_t bytes);

}  // namespace forgehook::core
