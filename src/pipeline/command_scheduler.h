#pragma once
// Runs the commands of [[rules]]: takes due runs from the store's command queue, at most
// `maxRunning` at once and each rule's `concurrency`, claims each in the store before its process
// starts and records its end (exit code, output, retry by the rule's policy). At start, runs a crash
// cut off are queued once more (CommandRunStore::recoverInterrupted). At-least-once: a command
// may run again after a crash, so it gets the delivery id (FORGEHOOK_DELIVERY_ID) to be idempotent.
// Thread-safe: notify() from any thread; one dispatcher thread and up to maxRunning runner threads.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "store/command_run_store.h"
#include "store/delivery_log.h"
#include "store/leadership.h"

namespace forgehook::rules {
class RuleSet;
}

namespace forgehook::pipeline {

class CommandScheduler {
 public:
  struct Options {
    int maxRunning = 8;                           // commands.max_running
    std::chrono::milliseconds killGrace{2000};    // commands.kill_grace_ms: SIGTERM, then SIGKILL after this
    std::chrono::milliseconds pollInterval{500};  // look for due retries this often when not notified
    std::chrono::milliseconds stopWait{10'000};   // stop(): how long running commands may finish
    std::string defaultWorkdir;                   // a rule without workdir runs here (data_dir)
    std::string payloadDir;                       // payload = "file": written here, 0600, removed after
    // Nodes sharing a store: only the one leading "commands" runs them (null: this node alone).
    store::Leadership* leadership = nullptr;
  };
  // All references must outlive the scheduler.
  CommandScheduler(store::CommandRunStore& runs, store::DeliveryLog& deliveries, const rules::RuleSet& rules,
                   const core::Clock& clock, const core::Logger& logger, Options options,
                   core::Metrics* metrics = nullptr);
  ~CommandScheduler();  // stop()s

  // Recovers runs a crash cut off, then starts dispatching (also without rules: a run queued
  // under a rule that was since removed fails saying so). Once only.
  void start();
  // Stops taking runs; running commands get `stopWait` to end, then their process groups are
  // killed and the runs go back to the queue as not started. Idempotent.
  void stop();
  // Runs may have been queued (a processing commit): look now. Cheap, never blocks.
  void notify();

 private:
  struct Running;
  void dispatch();
  // True when this node runs commands now (it leads "commands", or runs alone). A node that has
  // just become the runner first recovers what was left "running" by nodes that are gone (the
  // store tells which are: store/command_run_store.h).
  bool runsCommands();
  void recoverInterrupted();
  void runner();
  void runOne(store::CommandRun& run, Running& running);
  [[nodiscard]] std::vector<std::string> busyRules() const;  // under mutex_

  store::CommandRunStore& runs_;
  store::DeliveryLog& deliveries_;
  const rules::RuleSet& rules_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  Options options_;
  core::Metrics* metrics_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool notified_ = false, stopping_ = false, started_ = false;
  bool recovered_ = false;  // dispatcher thread only (and start() before it exists)
  int running_ = 0;
  std::map<std::string, int> runningPerRule_;
  std::deque<store::CommandRun> ready_;        // claimed, waiting for a runner thread
  std::set<std::shared_ptr<Running>> active_;  // for stop(): the processes to cancel
  std::thread dispatcher_;
  std::vector<std::thread> runners_;
};

}  // namespace forgehook::pipeline
