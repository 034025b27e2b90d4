#pragma once
// The store role that keeps every stored secret sealed under the current master key: run at start
// (after the schema migration: seals what an earlier version stored plain, and what a previous key
// sealed) and after a key rotation. Implementations are thread-safe.
#include <cstdint>

#include "core/error.h"

namespace forgehook::store {

class SecretResealer {
 public:
  virtual ~SecretResealer() = default;

  // Seals again, in one write transaction, every stored secret that is plain text or sealed under
  // a key other than the sealer's current one; returns how many values it wrote. Errors: Internal
  // "secret_undecryptable" (a value no loaded key opens; nothing is written), Unavailable.
  [[nodiscard]] virtual core::Result<std::int64_t> resealStale() = 0;
};

}  // namespace forgehook::store
