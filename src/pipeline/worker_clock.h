#pragma once
// The pipeline thread's monotonic time and timed waits, injected so tests drive the pacing by hand
// (tests/support/fake_worker_clock.h). Production uses SteadyWorkerClock. Implementations are
// thread-safe.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace forgehook::pipeline {

class WorkerClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~WorkerClock() = default;
  // Monotonic: never goes back. Not related to wall-clock time.
  [[nodiscard]] virtual TimePoint now() const = 0;
  // Blocks on `cv` until `done()` is true or now() reaches `deadline`; returns done(). Requires:
  // `lock` holds the mutex under which everything `done` reads is changed before `cv` is notified.
  // `done` is called with the lock held; the lock is held again on return.
  virtual bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline,
                         const std::function<bool()>& done) = 0;
};

// std::chrono::steady_clock and condition_variable::wait_until.
class SteadyWorkerClock final : public WorkerClock {
 public:
  [[nodiscard]] TimePoint now() const override;
  bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline,
                 const std::function<bool()>& done) override;
};

}  // namespace forgehook::pipeline
