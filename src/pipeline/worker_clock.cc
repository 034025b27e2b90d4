#include "pipeline/worker_clock.h"

namespace forgehook::pipeline {

WorkerClock::TimePoint SteadyWorkerClock::now() const { return std::chrono::steady_clock::now(); }

bool SteadyWorkerClock::waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline,
                                  const std::function<bool()>& done) {
  return cv.wait_until(lock, deadline, done);
}

}  // namespace forgehook::pipeline
