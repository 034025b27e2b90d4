#pragma once
// Stored secrets another node may have changed (several nodes on one store): a delivery no secret
// verifies is checked again after the secrets are reloaded. Each reload counts up a generation, so
// a delivery that failed against an older generation than the current one is checked again at
// once, and a reload is only asked for when none happened since it was checked (a limited one).
#include <cstdint>

namespace forgehook::ingest {

class SecretRefresh {
 public:
  virtual ~SecretRefresh() = default;
  // The reloads so far; read before the secrets are looked up for a check.
  [[nodiscard]] virtual std::uint64_t generation() const = 0;
  // After a failed check against `seen`: true when the secrets were reloaded since (now or by
  // another thread meanwhile), so the check is worth running again; false when no reload could be
  // done (the implementation limits how often).
  [[nodiscard]] virtual bool reloadedSince(std::uint64_t seen) = 0;
};

}  // namespace forgehook::ingest
