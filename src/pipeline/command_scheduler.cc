#include "pipeline/command_scheduler.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/form.h"
#include "rules/process_runner.h"
#include "rules/rule_set.h"

namespace forgehook::pipeline {

struct CommandScheduler::Running {
  std::atomic<bool> cancel{false};
};

namespace {

constexpr std::int64_t kMaxRetryDelayMicros = 86'400LL * 1'000'000;

std::int64_t retryDelayMicros(std::int64_t firstDelaySeconds, std::int64_t attempt) {
  std::int64_t delay = firstDelaySeconds * 1'000'000;
  for (std::int64_t i = 1; i < attempt && delay < kMaxRetryDelayMicros; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelayMicros);
}

// Writes the payload for payload = "file" (0600, only the owner reads it). Returns the path, or
// an error text.
core::Result<std::string> writePayloadFile(const std::string& dir, std::int64_t runId, std::int64_t attempt,
                                           const std::string& payload) {
  const std::string path = dir + "/command-" + std::to_string(runId) + "-" + std::to_string(attempt) + ".json";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(core::Error::internal("cannot write " + path + ": " + std::strerror(errno)));
  std::size_t written = 0;
  while (written < payload.size()) {
    const auto n = ::write(fd, payload.data() + written, payload.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return std::unexpected(core::Error::internal("cannot write " + path + ": " + why));
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

store::CommandOutcome outcomeOf(const rules::ProcessResult& r, std::int64_t timeoutSeconds) {
  store::CommandOutcome o;
  o.output = r.output;
  o.outputTruncated = r.outputTruncated;
  using End = rules::ProcessResult::End;
  switch (r.end) {
    case End::Exited:
      o.exitCode = r.exitCode;
      o.status = r.exitCode == 0 ? "succeeded" : "failed";
      if (r.exitCode != 0) o.error = "exited with status " + std::to_string(r.exitCode);
      break;
    case End::Signaled:
      o.signal = r.signal;
      o.status = "failed";
      o.error = "killed by signal " + std::to_string(r.signal);
      break;
    case End::TimedOut:
      if (r.signal) o.signal = r.signal;
      o.status = "timed_out";
      o.error = "timed out after " + std::to_string(timeoutSeconds) + " s: its process group was killed";
      break;
    case End::FailedToStart:
      o.status = "failed";
      o.error = "could not start: " + r.error;
      break;
  }
  return o;
}

}  // namespace

CommandScheduler::CommandScheduler(store::CommandRunStore& runs, store::DeliveryLog& deliveries,
                                   const rules::RuleSet& rules, const core::Clock& clock, const core::Logger& logger,
                                   Options options, core::Metrics* metrics)
    : runs_(runs),
      deliveries_(deliveries),
      rules_(rules),
      clock_(clock),
      logger_(logger),
      options_(std::move(options)),
      metrics_(metrics) {
  options_.maxRunning = std::max(1, options_.maxRunning);
}

CommandScheduler::~CommandScheduler() { stop(); }

void CommandScheduler::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
  }
  // Before anything runs: what is "running" now was cut off by a stop of this process (also on a
  // node that does not run commands now: its own runs are recovered by nobody else).
  recoverInterrupted();
  recovered_ = true;
  std::lock_guard lock(mutex_);
  for (int i = 0; i < options_.maxRunning; ++i) runners_.emplace_back([this] { runner(); });
  dispatcher_ = std::thread([this] { dispatch(); });
}

bool CommandScheduler::runsCommands() {
  if (options_.leadership && !options_.leadership->leads("commands")) {
    recovered_ = false;  // another node runs them now; what it leaves when it dies is recovered when this one leads again
    return false;
  }
  if (!recovered_) {
    recoverInterrupted();
    recovered_ = true;
  }
  return true;
}

void CommandScheduler::recoverInterrupted() {
  if (auto recovered = runs_.recoverInterrupted(clock_.nowMicros()); !recovered) {
    logger_.error("cannot recover interrupted commands", {{"error", recovered.error().message}});
  } else if (recovered->requeued > 0 || recovered->givenUp > 0) {
    logger_.warn("commands were cut off by a stop of forgehook",
                 {{"run_again", recovered->requeued}, {"given_up", recovered->givenUp}});
  }
}

void CommandScheduler::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

std::vector<std::string> CommandScheduler::busyRules() const {
  std::vector<std::string> busy;
  for (const auto& [name, count] : runningPerRule_) {
    const auto* rule = rules_.rule(name);
    if (rule && count >= rule->concurrency) busy.push_back(name);
  }
  return busy;
}

void CommandScheduler::dispatch() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.pollInterval, [this] { return notified_ || stopping_; });
    if (stopping_) return;
    notified_ = false;
    const int free = options_.maxRunning - running_;
    if (free <= 0) continue;
    const auto busy = busyRules();
    lock.unlock();
    if (!runsCommands()) {
      lock.lock();
      continue;
    }
    const auto now = clock_.nowMicros();
    auto due = runs_.due(free * 2, now, busy);
    if (!due) logger_.error("cannot read the command queue", {{"error", due.error().message}});
    lock.lock();
    if (!due) continue;
    // Slots are taken while choosing (so the limits hold), then every chosen run is claimed in one
    // write; a run that was not due any more gives its slot back.
    std::vector<store::CommandRun> chosen;
    for (auto& run : *due) {
      if (stopping_ || running_ >= options_.maxRunning) break;
      const auto* rule = rules_.rule(run.rule);
      const auto it = runningPerRule_.find(run.rule);
      if (rule && it != runningPerRule_.end() && it->second >= rule->concurrency) continue;
      ++running_;
      ++runningPerRule_[run.rule];
      chosen.push_back(std::move(run));
    }
    if (chosen.empty()) continue;
    std::vector<std::int64_t> ids;
    for (const auto& run : chosen) ids.push_back(run.id);
    lock.unlock();
    auto claimed = runs_.start(ids, clock_.nowMicros());
    if (!claimed) logger_.error("cannot claim commands", {{"error", claimed.error().message}});
    lock.lock();
    for (auto& run : chosen) {
      if (claimed && std::find(claimed->begin(), claimed->end(), run.id) != claimed->end()) {
        ++run.attempt;
        ready_.push_back(std::move(run));
        continue;
      }
      --running_;
      if (--runningPerRule_[run.rule] <= 0) runningPerRule_.erase(run.rule);
    }
    wake_.notify_all();
  }
}

void CommandScheduler::runner() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping, nothing claimed waits
    auto run = std::move(ready_.front());
    ready_.pop_front();
    auto running = std::make_shared<Running>();
    if (stopping_) running->cancel = true;
    active_.insert(running);
    lock.unlock();
    runOne(run, *running);
    lock.lock();
    active_.erase(running);
    --running_;
    if (--runningPerRule_[run.rule] <= 0) runningPerRule_.erase(run.rule);
    notified_ = true;  // a slot is free: look again
    wake_.notify_all();
  }
}

void CommandScheduler::runOne(store::CommandRun& run, Running& running) {
  store::CommandOutcome outcome;
  outcome.id = run.id;
  const auto* rule = rules_.rule(run.rule);
  std::string payloadFile;
  auto finish = [&](store::CommandOutcome o, bool retryable = true) {
    if (!payloadFile.empty()) ::unlink(payloadFile.c_str());
    if (running.cancel) {
      // Stopped by forgehook's own shutdown: not the command's failure; it runs after the restart.
      if (auto released = runs_.release(run.id, clock_.nowMicros()); !released)
        logger_.error("cannot put a stopped command back", {{"run", run.id}, {"error", released.error().message}});
      return;
    }
    const std::int64_t maxAttempts = run.maxAttempts;
    if (o.status != "succeeded" && retryable && rule && run.attempt < maxAttempts)
      o.retryAt = clock_.nowMicros() + retryDelayMicros(rule->retryDelayS, run.attempt);
    if (metrics_) metrics_->commandAttempts.with({o.retryAt ? "retrying" : o.status}).add();
    if (auto done = runs_.finish(o, clock_.nowMicros()); !done)
      logger_.error("cannot record a command's end", {{"run", run.id}, {"error", done.error().message}});
    else if (o.status != "succeeded")
      logger_.warn("command failed", {{"run", run.id},
                                      {"rule", run.rule},
                                      {"attempt", run.attempt},
                                      {"error", o.error},
                                      {"retry", o.retryAt ? "yes" : "no"}});
  };
  // A failure before the command could start; `retryable` when trying again later may help.
  auto failWith = [&](std::string error, bool retryable = true) {
    outcome.status = "failed";
    outcome.error = std::move(error);
    finish(std::move(outcome), retryable);
  };
  if (!rule) return failWith("rule " + run.rule + " is no longer in the configuration", false);

  std::optional<std::string> stdinData;
  if (run.payloadMode != "none") {
    auto delivery = deliveries_.getDelivery(run.delivery);
    if (!delivery)
      return failWith("cannot read delivery " + std::to_string(run.delivery) + ": " + delivery.error().message);
    if (delivery->bodyPrunedAt) return failWith("the delivery's payload was pruned by retention", false);
    std::string payload = core::payloadJson(delivery->contentType, delivery->rawBody);
    if (run.payloadMode == "file") {
      auto path = writePayloadFile(options_.payloadDir, run.id, run.attempt, payload);
      if (!path) return failWith(path.error().message);
      payloadFile = std::move(*path);
    } else {
      stdinData = std::move(payload);
    }
  }
  const auto variables =
      rules::runVariables({run.deliveryGuid, run.delivery, run.forge, run.event, run.action, run.repository, run.rule,
                           run.id, run.attempt, run.crashReruns > 0, payloadFile});

  rules::ProcessSpec spec;
  spec.argv = run.argv;
  spec.env = rules::commandEnvironment(run.env, rule->passEnv, variables);
  spec.workdir = run.workdir.empty() ? options_.defaultWorkdir : run.workdir;
  spec.stdinData = std::move(stdinData);
  spec.timeout = std::chrono::seconds(rule->timeoutS);
  spec.killGrace = options_.killGrace;
  spec.outputLimit = static_cast<std::size_t>(rule->outputLimitBytes);
  spec.cancel = &running.cancel;
  if (metrics_) metrics_->commandsRunning.add(1);
  const auto result = rules::runProcess(spec);
  if (metrics_) {
    metrics_->commandsRunning.add(-1);
    metrics_->commandDuration.observe(static_cast<double>(result.duration.count()) / 1000.0);
  }
  auto o = outcomeOf(result, rule->timeoutS);
  o.id = run.id;
  finish(std::move(o));
}

void CommandScheduler::stop() {
  std::unique_lock lock(mutex_);
  if (!started_ || stopping_) return;
  stopping_ = true;
  wake_.notify_all();
  // Runs claimed and not started yet go back as they were; taken out of ready_ under the lock, so no
  // runner (woken above) starts one of them.
  auto pending = std::exchange(ready_, {});
  running_ -= static_cast<int>(pending.size());
  lock.unlock();
  for (const auto& run : pending) (void)runs_.release(run.id, clock_.nowMicros());
  if (dispatcher_.joinable()) dispatcher_.join();
  lock.lock();
  if (!wake_.wait_for(lock, options_.stopWait, [this] { return active_.empty(); })) {
    for (const auto& running : active_) running->cancel = true;
    logger_.warn("stopping: commands still running were killed; they run again after the restart",
                 {{"commands", static_cast<std::int64_t>(active_.size())}});
  }
  lock.unlock();
  for (auto& t : runners_)
    if (t.joinable()) t.join();
}

}  // namespace forgehook::pipeline
