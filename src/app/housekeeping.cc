#include "app/housekeeping.h"

#include "core/thread_name.h"

namespace forgehook::app {

Housekeeping::Housekeeping(store::ChangeFeed& feed, store::ChangeRetention retention, const core::Clock& clock,
                           const core::Logger& logger, std::chrono::milliseconds interval)
    : feed_(feed), retention_(retention), clock_(clock), logger_(logger), interval_(interval) {}

Housekeeping::~Housekeeping() { stop(); }

void Housekeeping::start() {
  thread_ = std::thread([this] {
    core::nameThisThread("fh-housekeeping");
    run();
  });
}

void Housekeeping::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Housekeeping::run() {
  // First at start, so a retention lowered by a restart applies at once; then every interval.
  for (bool first = true;; first = false) {
    if (!first) {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, interval_, [&] { return stopping_; })) return;
    }
    auto pruned = feed_.prune(retention_, clock_.nowMicros());
    if (!pruned)
      logger_.error("cannot prune the change feed", {{"error", pruned.error().message}});
    else if (*pruned > 0)
      logger_.info("pruned the change feed", {{"records", *pruned}});
  }
}

}  // namespace forgehook::app
