#pragma once
// The database cannot be used at all: not a database, another application's, damaged, or written
// by a newer forgehook. Thrown at start-up (and by `forgehook restore`) only; the message is one
// line naming the file, what is wrong and what to do. `forgehook serve` exits with status 3
// (kExitStoreUnusable) on it instead of 1, so a supervisor can tell it from a passing failure.
#include <stdexcept>
#include <string>

namespace forgehook::store {

inline constexpr int kExitStoreUnusable = 3;

class StoreUnusable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace forgehook::store
