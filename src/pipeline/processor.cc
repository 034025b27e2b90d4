#include "pipeline/processor.h"

#include <algorithm>

#include "model/normalize.h"

namespace forgehook::pipeline {

Processor::Processor(store::ProcessingQueue& queue, const core::Clock& clock, core::Metrics& metrics, Options options,
                     Normalizer normalize)
    : queue_(queue),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      normalize_(normalize ? std::move(normalize) : Normalizer(model::normalize)) {}

core::Result<Processor::Step> Processor::step(int limit) {
  const auto now = clock_.nowMicros();
  auto due = queue_.dueForProcessing(limit > 0 ? std::min(limit, options_.batchSize) : options_.batchSize, now);
  if (!due) return std::unexpected(due.error());
  if (due->empty()) return Step{};
  std::vector<store::ProcessedDelivery> done;
  std::vector<store::FailedDelivery> failed;
  done.reserve(due->size());
  for (const auto& delivery : *due) {
    core::Result<store::ProcessedDelivery> records = std::unexpected(core::Error::internal("not processed"));
    try {
      records = normalize_(delivery);
      if (records && !delivery.processedBefore && options_.commands) records->commands = options_.commands(delivery);
    } catch (const std::exception& e) {
      records = std::unexpected(core::Error::internal(std::string("processing threw: ") + e.what()));
    } catch (...) {
      records = std::unexpected(core::Error::internal("processing threw a non-standard exception"));
    }
    if (records) {
      done.push_back(std::move(*records));
    } else {
      failed.push_back(
          {delivery.id, records.error().message, options_.retry.nextAttemptAt(delivery.processAttempts + 1, now)});
    }
  }
  auto finished = queue_.finishProcessing(done, failed, clock_.nowMicros());
  if (!finished) return std::unexpected(finished.error());
  const auto committed = clock_.nowMicros();
  metrics_.processingBatchSize.observe(static_cast<double>(due->size()));
  for (const auto& delivery : *due)
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
