#include "pipeline/processor.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/thread_name.h"
#include "model/normalize.h"

namespace forgehook::pipeline {

// One helper thread, one batch ahead at most. Created from the pipeline thread, it inherits that
// thread's niceness (pipeline.nice).
class Processor::Prefetcher {
 public:
  explicit Prefetcher(Processor& processor) : processor_(processor) {
    thread_ = std::thread([this] {
      core::nameThisThread("fh-prefetch");
      run();
    });
  }
  ~Prefetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // Starts reading the batch after `afterId`. Only when none is pending or ready.
  void request(int max, std::int64_t nowMicros, std::int64_t afterId) {
    {
      std::lock_guard lock(mutex_);
      asked_ = Ask{max, nowMicros, afterId};
    }
    changed_.notify_all();
  }
  // The batch asked for, once read; nullopt when none was asked for.
  std::optional<core::Result<Batch>> take() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !asked_ || ready_; });
    auto out = std::move(ready_);
    ready_.reset();
    return out;
  }

 private:
  struct Ask {
    int max;
    std::int64_t nowMicros, afterId;
  };
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stopping_ || (asked_ && !ready_); });
      if (stopping_) return;
      const Ask ask = *asked_;
      lock.unlock();
      core::Result<Batch> batch = std::unexpected(core::Error::internal("prefetch failed"));
      try {  // an exception leaving this thread would end the process
        batch = processor_.load(ask.max, ask.nowMicros, ask.afterId);
      } catch (const std::exception& e) {
        batch = std::unexpected(core::Error::internal(std::string("reading the next batch threw: ") + e.what()));
      } catch (...) {
        batch = std::unexpected(core::Error::internal("reading the next batch threw"));
      }
      lock.lock();
      ready_ = std::move(batch);
      asked_.reset();
      changed_.notify_all();
    }
  }

  Processor& processor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Ask> asked_;
  std::optional<core::Result<Batch>> ready_;
  bool stopping_ = false;
  std::thread thread_;
};

Processor::Processor(store::ProcessingQueue& queue, const core::Clock& clock, core::Metrics& metrics, Options options,
                     Normalizer normalize)
    : queue_(queue),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      normalize_(normalize ? std::move(normalize) : Normalizer(model::normalize)) {}

Processor::~Processor() = default;

core::Result<Processor::Batch> Processor::load(int max, std::int64_t nowMicros, std::int64_t afterId) {
  auto due = queue_.dueForProcessing(max, nowMicros, afterId);
  if (!due) return std::unexpected(due.error());
  Batch batch{std::move(*due), {}};
  batch.records.reserve(batch.due.size());
  for (const auto& delivery : batch.due) {
    core::Result<store::ProcessedDelivery> records = std::unexpected(core::Error::internal("not processed"));
    try {
      records = normalize_(delivery);
      if (records && !delivery.processedBefore && options_.commands) records->commands = options_.commands(delivery);
    } catch (const std::exception& e) {
      records = std::unexpected(core::Error::internal(std::string("processing threw: ") + e.what()));
    } catch (...) {
      records = std::unexpected(core::Error::internal("processing threw a non-standard exception"));
    }
    batch.records.push_back(std::move(records));
  }
  return batch;
}

core::Result<Processor::Step> Processor::step(int limit, bool mayPrefetch) {
  const auto now = clock_.nowMicros();
  const int max = limit > 0 ? std::min(limit, options_.batchSize) : options_.batchSize;
  std::optional<core::Result<Batch>> prefetched;
  if (prefetcher_) prefetched = prefetcher_->take();
  // Read again instead when the prefetched batch came back empty (deliveries queued since may have
  // been missed) or is larger than this step may take (intake became busy meanwhile).
  if (prefetched && *prefetched && ((*prefetched)->due.empty() || static_cast<int>((*prefetched)->due.size()) > max))
    prefetched.reset();
  auto batch = prefetched ? std::move(*prefetched) : load(max, now, 0);
  if (!batch) return std::unexpected(batch.error());
  if (batch->due.empty()) return Step{};
  // A full batch: more is likely due, so the next one is read while this one commits. A chain of
  // prefetched batches only looks after its last id; it is cut after a second, so a retry that
  // came due below it waits no longer than that to be taken first again. Not for a step with a
  // limit (the worker's small steps while intake is busy): the helper's CPU would come out of
  // intake's share, which the pause after each such step is meant to leave alone.
  const bool chained = prefetched && *prefetched && !(*prefetched)->due.empty();
  if (!chained) chainStartedAt_ = now;
  if (options_.prefetch && mayPrefetch && limit <= 0 && static_cast<int>(batch->due.size()) >= max &&
      now - chainStartedAt_ < kChainMicros) {
    if (!prefetcher_) prefetcher_ = std::make_unique<Prefetcher>(*this);
    prefetcher_->request(max, now, batch->due.back().id);
  }
  std::vector<store::ProcessedDelivery> done;
  std::vector<store::FailedDelivery> failed;
  done.reserve(batch->due.size());
  for (std::size_t i = 0; i < batch->due.size(); ++i) {
    const auto& delivery = batch->due[i];
    auto& records = batch->records[i];
    if (records) {
      done.push_back(std::move(*records));
    } else {
      failed.push_back(
          {delivery.id, records.error().message, options_.retry.nextAttemptAt(delivery.processAttempts + 1, now)});
    }
  }
  auto finished = queue_.finishProcessing(done, failed, clock_.nowMicros());
  if (!finished) {
    // The batch read after this one would be committed before it: drop it, keep the id order.
    if (prefetcher_) (void)prefetcher_->take();
    return std::unexpected(finished.error());
  }
  const auto committed = clock_.nowMicros();
  const auto& due = batch->due;
  metrics_.processingBatchSize.observe(static_cast<double>(due.size()));
  for (const auto& delivery : due)
    metrics_.processingLatency.observe(static_cast<double>(committed - delivery.receivedAt) / 1e6);
  const int processed = static_cast<int>(done.size()) - finished->deadLettered - finished->duplicates;
  metrics_.processed.with({"processed"}).add(processed);
  if (finished->duplicates > 0) metrics_.processed.with({"duplicate"}).add(finished->duplicates);
  if (finished->deadLettered > 0) metrics_.processed.with({"dead"}).add(finished->deadLettered);
  for (const auto& f : failed) metrics_.processed.with({f.retryAt ? "retrying" : "dead"}).add();
  return Step{processed, static_cast<int>(failed.size()) + finished->deadLettered, finished->duplicates};
}

core::Result<Processor::Step> Processor::drain() {
  Step total;
  for (;;) {
    auto s = step();
    if (!s) return s;
    if (s->total() == 0) return total;
    total.processed += s->processed;
    total.failed += s->failed;
    total.duplicates += s->duplicates;
  }
}

}  // namespace forgehook::pipeline
