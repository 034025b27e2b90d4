#include "core/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace forgehook::core {
namespace {

using ::testing::HasSubstr;

TEST(HistogramTest, RendersHelpTypeCumulativeBucketsSumAndCount) {
  Histogram h("h", "What h measures.", {1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 3.0, 10.0}) h.observe(v);
  std::string out;
  h.render(out);
  EXPECT_EQ(out,
            "# HELP h What h measures.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 2\n"  // an observation equal to a bound falls in that bucket
            "h_bucket{le=\"2\"} 3\n"
            "h_bucket{le=\"5\"} 4\n"
            "h_bucket{le=\"+Inf\"} 5\n"
            "h_sum 16\n"
            "h_count 5\n");
}

TEST(HistogramTest, EmptyHistogramRendersZeros) {
  Histogram h("empty", "Nothing yet.", {0.5});
  std::string out;
  h.render(out);
  EXPECT_EQ(out,
            "# HELP empty Nothing yet.\n"
            "# TYPE empty histogram\n"
            "empty_bucket{le=\"0.5\"} 0\n"
            "empty_bucket{le=\"+Inf\"} 0\n"
            "empty_sum 0\n"
            "empty_count 0\n");
}

TEST(HistogramTest, SumKeepsFractions) {
  Histogram h("lat", "Latency.", {0.001, 0.01});
  h.observe(0.0005);
  h.observe(0.0025);
  std::string out;
  h.render(out);
  EXPECT_THAT(out, HasSubstr("lat_bucket{le=\"0.001\"} 1\n"));
  EXPECT_THAT(out, HasSubstr("lat_bucket{le=\"0.01\"} 2\n"));
  EXPECT_THAT(out, HasSubstr("lat_sum 0.003\n"));
  EXPECT_THAT(out, HasSubstr("lat_count 2\n"));
}

TEST(GaugeTest, RendersHelpTypeAndValue) {
  Gauge g("depth", "Items waiting.");
  g.set(5);
  g.add(-2);
  std::string out;
  g.render(out);
  EXPECT_EQ(out, "# HELP depth Items waiting.\n# TYPE depth gauge\ndepth 3\n");
}

TEST(CounterFamilyTest, RendersHelpTypeAndLabelledCounters) {
  CounterFamily family("fh_requests_total", "Requests.", {"endpoint", "status"});
  family.with({"/webhooks/github", "200"}).add(3);
  family.with({"/webhooks/github", "401"}).add();
  std::string out;
  family.render(out);
  EXPECT_EQ(out,
            "# HELP fh_requests_total Requests.\n"
            "# TYPE fh_requests_total counter\n"
            "fh_requests_total{endpoint=\"/webhooks/github\",status=\"200\"} 3\n"
            "fh_requests_total{endpoint=\"/webhooks/github\",status=\"401\"} 1\n");
}

TEST(CounterFamilyTest, SameLabelValuesShareOneCounter) {
  CounterFamily family("c", "h", {"forge"});
  Counter& first = family.with({"gitlab"});
  first.add(2);
  family.with({"gitlab"}).add(5);
  EXPECT_EQ(&first, &family.with({"gitlab"}));
  EXPECT_EQ(first.value(), 7u);
}

TEST(CounterFamilyTest, EscapesLabelValues) {
  CounterFamily family("c", "h", {"reason"});
  family.with({"a\"b\\c\nd"}).add();
  std::string out;
  family.render(out);
  EXPECT_THAT(out, HasSubstr("c{reason=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(CounterFamilyTest, FamilyWithoutCountersRendersOnlyHeader) {
  CounterFamily family("c", "Nothing yet.", {"forge"});
  std::string out;
  family.render(out);
  EXPECT_EQ(out, "# HELP c Nothing yet.\n# TYPE c counter\n");
}

TEST(MetricsTest, RendersEveryDocumentedFamilyWithItsType) {
  // The list in docs/API.md "Health and metrics".
  const std::pair<const char*, const char*> documented[] = {
      {"forgehook_http_requests_total", "counter"},
      {"forgehook_verification_failures_total", "counter"},
      {"forgehook_verification_throttled_total", "counter"},
      {"forgehook_deliveries_total", "counter"},
      {"forgehook_body_bytes_total", "counter"},
      {"forgehook_ack_latency_seconds", "histogram"},
      {"forgehook_store_commit_seconds", "histogram"},
      {"forgehook_store_commit_batch_size", "histogram"},
      {"forgehook_intake_queue_depth", "gauge"},
      {"forgehook_intake_unindexed", "gauge"},
      {"forgehook_connections_open", "gauge"},
      {"forgehook_streams_open", "gauge"},
      {"forgehook_stream_dropped_total", "counter"},
      {"forgehook_processed_total", "counter"},
      {"forgehook_processing_latency_seconds", "histogram"},
      {"forgehook_processing_batch_size", "histogram"},
  };
  Metrics metrics;
  const std::string text = metrics.renderPrometheus();
  for (const auto& [name, type] : documented)
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + name + " " + type + "\n")) << name;
}

TEST(MetricsTest, RendersRecordedValues) {
  Metrics metrics;
  metrics.httpRequests.with({"/webhooks/github", "202"}).add(2);
  metrics.verificationFailures.with({"github", "invalid_signature"}).add();
  metrics.deliveries.with({"github", "accepted"}).add(4);
  metrics.deliveries.with({"github", "duplicate"}).add(1);
  metrics.bodyBytes.with({"gitlab"}).add(7190);
  metrics.ackLatency.observe(0.002);
  metrics.commitLatency.observe(0.004);
  metrics.commitBatchSize.observe(3);
  metrics.intakeQueueDepth.set(5);
  metrics.connectionsOpen.add(2);
  metrics.streamsOpen.add(3);
  metrics.streamDropped.with({"slow_consumer"}).add();
  metrics.processed.with({"processed"}).add(9);
  metrics.processingLatency.observe(0.02);
  metrics.processingBatchSize.observe(100);
  const std::string text = metrics.renderPrometheus();
  EXPECT_THAT(text, HasSubstr("forgehook_http_requests_total{endpoint=\"/webhooks/github\",status=\"202\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("forgehook_verification_failures_total{forge=\"github\",reason=\"invalid_signature\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_deliveries_total{forge=\"github\",outcome=\"accepted\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_deliveries_total{forge=\"github\",outcome=\"duplicate\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_body_bytes_total{forge=\"gitlab\"} 7190\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_ack_latency_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_ack_latency_seconds_bucket{le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_store_commit_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_store_commit_batch_size_bucket{le=\"4\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_store_commit_batch_size_bucket{le=\"2\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_intake_queue_depth 5\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_connections_open 2\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_streams_open 3\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_stream_dropped_total{reason=\"slow_consumer\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_processed_total{outcome=\"processed\"} 9\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_processing_latency_seconds_bucket{le=\"0.025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_processing_latency_seconds_bucket{le=\"0.01\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_processing_batch_size_bucket{le=\"128\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("forgehook_processing_batch_size_bucket{le=\"64\"} 0\n"));
}

}  // namespace
}  // namespace forgehook::core
