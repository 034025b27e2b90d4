#pragma once
// One processing step: read what is due from the store's queue, normalize each delivery into
// records, and commit all records and new statuses in one transaction. A crash anywhere before
// that commit leaves the batch due again; after it, every delivery of the batch is applied once.
// Not thread-safe: one Processor per pipeline thread (the SQLite store has one writer anyway).
#include <functional>
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
  };
  // `normalize` defaults to model::normalize; tests inject failures through it.
  Processor(store::ProcessingQueue& queue, const core::Clock& clock, core::Metrics& metrics, Options options,
            Normalizer normalize = {});

  struct Step {
    int processed = 0, failed = 0;
    int duplicates = 0;  // applied already from another source (see ProcessingQueue::finishProcessing)
    [[nodiscard]] int total() const { return processed + duplicates + failed; }
  };
  // Processes one batch of at most `limit` deliveries (0: Options::batchSize). Errors: the store's,
  // when the batch could not be read or committed (nothing was applied; call again later).
  [[nodiscard]] core::Result<Step> step(int limit = 0);
  // Steps until nothing is due now. For tests, rebuilds and benchmarks.
  [[nodiscard]] core::Result<Step> drain();

 private:
  store::ProcessingQueue& queue_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  Options options_;
  Normalizer normalize_;
};

}  // namespace forgehook::pipeline
