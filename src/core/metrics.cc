#include "core/metrics.h"

#include <cstdio>

namespace forgehook::core {
namespace {

std::string formatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string labelText(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

std::string header(const std::string& name, const std::string& help, const char* type) {
  return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Gauge::render(std::string& out) const {
  out += header(name_, help_, "gauge") + name_ + " " + std::to_string(value()) + "\n";
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      bounds_(std::move(bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sumMicros_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
}

void Histogram::render(std::string& out) const {
  out += header(name_, help_, "histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? formatDouble(bounds_[i]) : "+Inf";
    out += name_ + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name_ + "_sum " + formatDouble(double(sumMicros_.load()) / 1e6) + "\n";
  out += name_ + "_count " + std::to_string(count_.load()) + "\n";
}

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> labelNames)
    : name_(std::move(name)), help_(std::move(help)), labelNames_(std::move(labelNames)) {}

Counter& CounterFamily::with(const std::vector<std::string>& labelValues) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[labelValues];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

void CounterFamily::render(std::string& out) const {
  out += header(name_, help_, "counter");
  std::lock_guard lock(mutex_);
  for (const auto& [values, counter] : counters_)
    out += name_ + "{" + labelText(labelNames_, values) + "} " + std::to_string(counter->value()) + "\n";
}

namespace {
const std::vector<double> kBatchBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
}  // namespace

Metrics::Metrics()
    : httpRequests("forgehook_http_requests_total", "HTTP requests answered, by endpoint and status.",
                   {"endpoint", "status"}),
      verificationFailures("forgehook_verification_failures_total", "Deliveries refused by signature checks.",
                           {"forge", "reason"}),
      verificationThrottled("forgehook_verification_throttled_total",
                            "Failed signature checks answered 429 because their address failed too often.", {"forge"}),
      deliveries("forgehook_deliveries_total", "Deliveries committed, new or duplicate.", {"forge", "outcome"}),
      bodyBytes("forgehook_body_bytes_total", "Webhook body bytes received.", {"forge"}),
      ackLatency("forgehook_ack_latency_seconds", "Time from a webhook request read to its 2xx.",
                 {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}),
      commitLatency("forgehook_store_commit_seconds", "Duration of one group commit.",
                    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}),
      commitBatchSize("forgehook_store_commit_batch_size", "Deliveries per group commit.", kBatchBounds),
      intakeQueueDepth("forgehook_intake_queue_depth", "Deliveries waiting for commit."),
      intakeUnindexed("forgehook_intake_unindexed",
                      "Deliveries answered and durable in the body journal, not yet indexed in the store."),
      connectionsOpen("forgehook_connections_open", "Open client connections."),
      connectionsRefused("forgehook_connections_refused_total",
                         "Connections closed at accept because a connection cap was reached, by cap.", {"reason"}),
      streamsOpen("forgehook_streams_open", "Open SSE and WebSocket streams."),
      streamDropped("forgehook_stream_dropped_total", "Streams the server dropped, by reason.", {"reason"}),
      processed("forgehook_processed_total", "Deliveries through the pipeline, by outcome.", {"outcome"}),
      processingLatency("forgehook_processing_latency_seconds",
                        "Time from a delivery's receipt to its projections committed.",
                        {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60}),
      processingBatchSize("forgehook_processing_batch_size", "Deliveries per processing transaction.", kBatchBounds),
      subscriptionAttempts("forgehook_subscription_attempts_total",
                           "Outbound subscription delivery attempts, by outcome (delivered, retrying, failed).",
                           {"outcome"}),
      commandAttempts("forgehook_command_attempts_total",
                      "Attempts of [[rules]] commands, by outcome (succeeded, failed, timed_out, retrying).",
                      {"outcome"}),
      commandsRunning("forgehook_commands_running", "[[rules]] commands running now."),
      commandDuration("forgehook_command_duration_seconds", "Duration of one [[rules]] command attempt.",
                      {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900}) {}

std::string Metrics::renderPrometheus() const {
  std::string out;
  out.reserve(8192);
  httpRequests.render(out);
  verificationFailures.render(out);
  verificationThrottled.render(out);
  deliveries.render(out);
  bodyBytes.render(out);
  ackLatency.render(out);
  commitLatency.render(out);
  commitBatchSize.render(out);
  intakeQueueDepth.render(out);
  intakeUnindexed.render(out);
  connectionsOpen.render(out);
  connectionsRefused.render(out);
  streamsOpen.render(out);
  streamDropped.render(out);
  processed.render(out);
  processingLatency.render(out);
  processingBatchSize.render(out);
  subscriptionAttempts.render(out);
  commandAttempts.render(out);
  commandsRunning.render(out);
  commandDuration.render(out);
  return out;
}

}  // namespace forgehook::core
