#pragma once
// A WorkerClock whose time moves only when the test advances it, and which lets the test see every
// timed wait the worker begins (when, until when) and whether it is waiting now. Thread-safe.
// Every Worker waiting on it must outlive the calls to advance().
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <vector>

#include "pipeline/worker_clock.h"

namespace forgehook::testing {

class FakeWorkerClock final : public pipeline::WorkerClock {
 public:
  // Bounds every wait of the test thread in real time, so a broken worker fails the test instead
  // of hanging it.
  static constexpr std::chrono::seconds kRealTimeout{10};

  struct Wait {
    TimePoint began, deadline;
    [[nodiscard]] std::chrono::nanoseconds length() const { return deadline - began; }
  };

  // Starts far from the epoch: the Worker reads a zero tick count as "never".
  FakeWorkerClock() : now_(std::chrono::hours(1)) {}

  TimePoint now() const override {
    std::lock_guard guard(mutex_);
    return now_;
  }

  bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline,
                 const std::function<bool()>& done) override {
    std::list<Waiter>::iterator self;
    {
      std::lock_guard guard(mutex_);
      waits_.push_back({now_, deadline});
      self = waiters_.insert(waiters_.end(), Waiter{lock.mutex(), &cv, generation_, false});
    }
    changed_.notify_all();
    cv.wait(lock, [&] {
      const bool finished = done();
      bool leaving;
      {
        std::lock_guard guard(mutex_);
        self->seen = generation_;
        leaving = self->leaving = finished || now_ >= deadline;
      }
      changed_.notify_all();
      return leaving;
    });
    {
      std::lock_guard guard(mutex_);
      waiters_.erase(self);
    }
    changed_.notify_all();
    return done();
  }

  // Moves time on and returns once every thread waiting at that moment has seen the new time:
  // afterwards it either still waits (its deadline is later, waiting() is true) or has returned
  // from its wait.
  void advance(std::chrono::nanoseconds d) {
    std::vector<Waiter> waiting;
    std::uint64_t generation;
    {
      std::lock_guard guard(mutex_);
      now_ += d;
      generation = ++generation_;
      waiting.assign(waiters_.begin(), waiters_.end());
    }
    for (const Waiter& w : waiting) {
      // Taking the waiter's mutex orders the notification after its last look at the time.
      { std::lock_guard order(*w.mutex); }
      w.cv->notify_all();
    }
    std::unique_lock guard(mutex_);
    changed_.wait_for(guard, kRealTimeout, [&] {
      for (const Waiter& w : waiters_)
        if (w.seen < generation || w.leaving) return false;
      return true;
    });
  }

  // The n-th timed wait begun (1-based), once it has begun; nothing if it does not within kRealTimeout.
  std::optional<Wait> awaitWait(std::size_t n) const {
    std::unique_lock guard(mutex_);
    if (!changed_.wait_for(guard, kRealTimeout, [&] { return waits_.size() >= n; })) return std::nullopt;
    return waits_[n - 1];
  }

  // How many timed waits have begun so far.
  std::size_t waitsBegun() const {
    std::lock_guard guard(mutex_);
    return waits_.size();
  }

  // Whether a thread is inside waitUntil now.
  bool waiting() const {
    std::lock_guard guard(mutex_);
    return !waiters_.empty();
  }

 private:
  struct Waiter {
    std::mutex* mutex;
    std::condition_variable* cv;
    std::uint64_t seen;  // the last generation of time this waiter has compared with its deadline
    bool leaving;        // its wait is over; it is about to return
  };

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  TimePoint now_;
  std::uint64_t generation_ = 0;
  std::vector<Wait> waits_;
  std::list<Waiter> waiters_;
};

}  // namespace forgehook::testing
