#pragma once
// The background work of forge connections, on one thread: polls connections that need it when
// their interval is up, reconciles every reconcilable hook (default every 5 minutes, and once at
// start so what was missed while forgehook was down is found at once), tries failed hooks again,
// and ends secret grace periods. Each step is bounded by the forge client's own timeouts.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/time.h"
#include "forge/hook_manager.h"
#include "forge/poller.h"
#include "forge/reconciler.h"
#include "store/connection_store.h"
#include "store/leadership.h"

namespace forgehook::forge {

struct SchedulerOptions {
  std::int64_t reconcileIntervalSeconds = 300;  // 0: only on demand
  std::int64_t recheckFailedSeconds = 600;      // a failed hook is tried again this often
  std::int64_t tickMs = 1000;
  // Nodes sharing a store: only the one leading "forge" reconciles and polls (null: this node alone).
  store::Leadership* leadership = nullptr;
};

class ConnectionScheduler {
 public:
  ConnectionScheduler(store::ConnectionStore& connections, HookManager& hooks, Reconciler& reconciler,
                      Poller& poller, const core::Clock& clock, const core::Logger& logger, SchedulerOptions options);
  ~ConnectionScheduler();
  void start();
  void stop();  // idempotent; waits for the step in progress
  // Runs one pass now (tests, and the thread's loop).
  void runDue();

 private:
  void loop();

  store::ConnectionStore& connections_;
  HookManager& hooks_;
  Reconciler& reconciler_;
  Poller& poller_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  SchedulerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool firstPass_ = true;  // reconcile everything once at start: what was missed while down
  std::thread thread_;
};

}  // namespace forgehook::forge
