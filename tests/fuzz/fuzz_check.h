#pragma once
// What a fuzz target does when a contract of the code under test does not hold for an input: say
// which, and abort, which libFuzzer records as a crash (the input goes to regressions/) and the
// replay test reports as a failure. Sanitizer findings need no check: they abort by themselves.
#include <cstdio>
#include <cstdlib>

namespace forgehook::fuzz {

inline void check(bool holds, const char* contract) {
  if (holds) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", contract);
  std::abort();
}

}  // namespace forgehook::fuzz
