#pragma once
// One processing step: read what is due from the store's queue, normalize each delivery into
// records, and commit all records and new statuses in one transaction. A crash anywhere before
// that commit leaves the batch due again; after it, every delivery of the batch is applied once.
// Not thread-safe: one Processor per pipeline thread (the SQLite store has one writer anyway).
//
// With Options::prefetch, while a full batch commits, a helper thread already reads and normalizes
// the next one (the deliveries after the batch's last id): reading bodies, decompressing and
// parsing was a fifth of a rebuild's time on the one pipeline thread, and a second core was idle.
// Order is kept: batches follow each other by id, and a batch that fails to commit drops the one
// read after it, so the next step starts again from the oldest due delivery.
#include <functional>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/metrics.h"
#include "core/time.h"
#include "pipeline/retry_policy.h"
#include "store/processing_queue.h"

namespace forgehook::pipeline {

using Normalizer = std::function<core::Result<store::ProcessedDelivery>(const store::QueuedDelivery&)>;
// The commands of the [[rules]] a delivery matches (pipeline/command_matcher.h); asked only at a
// delivery's first processing, so a replay or a rebuild never runs a command again.
using CommandMatcher = std::function<std::vector<store::NewCommandRun>(const store::QueuedDelivery&)>;

class Processor {
 public:
  struct Options {
    int batchSize = 128;
    RetryPolicy retry;
    CommandMatcher commands{};  // none: no rules
    bool prefetch = false;      // read and normalize the next batch on a helper thread (see above)
  };
  // `normalize` defaults to model::normalize; tests inject failures through it. With prefetch it
  // and Options::commands are called on the helper thread (never on two threads at once).
  Processor(store::ProcessingQueue& queue, const core::Clock& clock, core::Metrics& metrics, Options options,
            Normalizer normalize = {});
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  struct Step {
    int processed = 0, failed = 0;
    int duplicates = 0;  // applied already from another source (see ProcessingQueue::finishProcessing)
    [[nodiscard]] int total() const { return processed + duplicates + failed; }
  };
  // Processes one batch of at most `limit` deliveries (0: Options::batchSize). Errors: the store's,
  // when the batch could not be read or committed (nothing was applied; call again later).
  // `mayPrefetch` false: no batch is read ahead after this one (the worker, while intake is active).
  [[nodiscard]] core::Result<Step> step(int limit = 0, bool mayPrefetch = true);
  // Steps until nothing is due now. For tests, rebuilds and benchmarks.
  [[nodiscard]] core::Result<Step> drain();

  // A batch read from the queue and normalized, not yet committed.
  struct Batch {
    std::vector<store::QueuedDelivery> due;
    std::vector<core::Result<store::ProcessedDelivery>> records;  // one per delivery of `due`
  };

 private:
  class Prefetcher;
  [[nodiscard]] core::Result<Batch> load(int max, std::int64_t nowMicros, std::int64_t afterId);

  store::ProcessingQueue& queue_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  Options options_;
  Normalizer normalize_;
  static constexpr std::int64_t kChainMicros = 1'000'000;
  std::int64_t chainStartedAt_ = 0;         // when the step that read from the oldest due delivery ran
  std::unique_ptr<Prefetcher> prefetcher_;  // with Options::prefetch, started at the first full batch
};

}  // namespace forgehook::pipeline
