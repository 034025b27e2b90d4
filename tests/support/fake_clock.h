#pragma once
// A clock tests move by hand, so time-dependent behaviour is tested without sleeping.
#include <atomic>
#include <cstdint>

#include "core/time.h"

namespace forgehook::testing {

class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(std::int64_t startMicros = 1'700'000'000'000'000) : now_(startMicros) {}
  std::int64_t nowMicros() const override { return now_.load(); }
  void advanceMicros(std::int64_t d) { now_ += d; }
  void advanceSeconds(double s) { now_ += static_cast<std::int64_t>(s * 1e6); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace forgehook::testing
