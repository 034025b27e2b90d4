#pragma once
// Counters, gauges and histograms that render as Prometheus text. Updates are lock-free atomics on
// the hot path; labelled families take a mutex only when a new label set first appears.
// Thread-safe. Owned by the composition root and passed by reference.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace forgehook::core {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  Gauge(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}
  void render(std::string& out) const;
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::string name_, help_;
  std::atomic<std::int64_t> value_{0};
};

// Fixed buckets (upper bounds); observations in the unit of the metric (seconds, rows).
class Histogram {
 public:
  Histogram(std::string name, std::string help, std::vector<double> bounds);
  void observe(double value);
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // one per bound, plus +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sumMicros_{0};  // sum scaled by 1e6 to stay an integer atomic
};

// A counter family keyed by label values, e.g. {endpoint="/webhooks/github",status="200"}.
class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labelNames);
  Counter& with(const std::vector<std::string>& labelValues);
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labelNames_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters_;
};

// Every metric forgehook exports; see docs/API.md "Health and metrics".
struct Metrics {
  Metrics();
  CounterFamily httpRequests;
  CounterFamily verificationFailures;
  CounterFamily verificationThrottled;  // failed signature checks answered 429 (limits.signature_failures_*)
  CounterFamily deliveries;
  CounterFamily bodyBytes;
  Histogram ackLatency;
  Histogram commitLatency;
  Histogram commitBatchSize;
  Gauge intakeQueueDepth;
  Gauge intakeUnindexed;  // answered, durable, not yet indexed (lists and the pipeline see them later)
  Gauge connectionsOpen;
  CounterFamily connectionsRefused;  // closed at accept: max_connections, max_connections_per_ip
  Gauge streamsOpen;            // SSE and WebSocket streams open
  CounterFamily streamDropped;  // streams the server ended on the client's account, by reason
  CounterFamily processed;      // pipeline outcomes: processed, retrying, dead
  Histogram processingLatency;  // receipt of a delivery to its projections committed
  Histogram processingBatchSize;
  CounterFamily subscriptionAttempts;  // outbound callback attempts: delivered, retrying, failed
  CounterFamily commandAttempts;       // [[rules]] command attempts, by outcome
  Gauge commandsRunning;               // [[rules]] commands running now
  Histogram commandDuration;           // one command attempt, start to end

  [[nodiscard]] std::string renderPrometheus() const;
};

}  // namespace forgehook::core
