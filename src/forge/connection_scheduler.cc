#include "forge/connection_scheduler.h"

#include <utility>

#include "core/thread_name.h"

namespace forgehook::forge {

ConnectionScheduler::ConnectionScheduler(store::ConnectionStore& connections, HookManager& hooks,
                                         Reconciler& reconciler, Poller& poller, const core::Clock& clock,
                                         const core::Logger& logger, SchedulerOptions options)
    : connections_(connections),
      hooks_(hooks),
      reconciler_(reconciler),
      poller_(poller),
      clock_(clock),
      logger_(logger),
      options_(options) {}

ConnectionScheduler::~ConnectionScheduler() { stop(); }

void ConnectionScheduler::start() {
  thread_ = std::thread([this] {
    core::nameThisThread("fh-forge");
    loop();
  });
}

void ConnectionScheduler::stop() {
  {
    std::lock_guard guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectionScheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    runDue();
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(options_.tickMs), [this] { return stopping_; });
  }
}

void ConnectionScheduler::runDue() {
  if (options_.leadership && !options_.leadership->leads("forge")) return;
  auto all = connections_.listConnections();
  if (!all) {
    logger_.warn("cannot read forge connections", {{"error", all.error().message}});
    return;
  }
  hooks_.expireGracePeriods(*all);
  const bool firstPass = std::exchange(firstPass_, false);
  for (const auto& c : *all) {
    {
      std::lock_guard guard(mutex_);
      if (stopping_) return;
    }
    const std::int64_t now = clock_.nowMicros() / 1'000'000;
    if (c.mode == "webhook" && c.status == "failed" &&
        (!c.checkedAt || *c.checkedAt + options_.recheckFailedSeconds <= now)) {
      if (auto again = hooks_.recheck(c.id); again && again->status == "active")
        logger_.info("forge connection recovered", {{"connection", c.id}});
    }
    if (Poller::pollable(c) && c.nextPollAt <= now) {
      if (auto polled = poller_.poll(c.id); !polled)
        logger_.warn("poll failed", {{"connection", c.id}, {"error", polled.error().message}});
    }
    if (options_.reconcileIntervalSeconds > 0 && Reconciler::reconcilable(c) && (firstPass || c.nextReconcileAt <= now)) {
      (void)connections_.updateNextReconcile(c.id, now + options_.reconcileIntervalSeconds);
      if (auto run = reconciler_.reconcile(c.id, firstPass ? "start" : "schedule"); !run)
        logger_.warn("reconciliation not run", {{"connection", c.id}, {"error", run.error().message}});
    }
  }
}

}  // namespace forgehook::forge
