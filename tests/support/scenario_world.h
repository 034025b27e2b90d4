#pragma once
// Scenario tests' world: the real SQLite backend in a temp dir, the real Processor and model, a fake
// clock, and GitHub's own payload examples edited only where a scenario needs it.
#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "core/time.h"
#include "pipeline/processor.h"
#include "store/sqlite/sqlite_backend.h"
#include "store/sqlite/statement.h"
#include "support/test_keyring.h"
#include "support/examples.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace forgehook::testing {

using nlohmann::json;

constexpr std::int64_t kScenarioT0 = 1'790'000'000;  // Unix seconds: 2026-09-21T14:13:20Z

inline std::string iso(std::int64_t seconds) {
  auto text = core::formatRfc3339(seconds * 1'000'000);
  return text.substr(0, text.find('.')) + "Z";
}

// The first example of `event` whose action is `action` ("" = the first example).
inline json example(const std::string& event, const std::string& action = "") {
  for (const auto& e : webhookExamples())
    if (e["name"] == event)
      for (const auto& x : e["examples"])
        if (action.empty() || x.value("action", "") == action) return x;
  throw std::runtime_error("no example " + event + "." + action);
}

inline json loadFixture(const std::string& relative) {
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    const auto file = dir / "tests/fixtures" / relative;
    if (std::filesystem::exists(file)) {
      std::ifstream in(file);
      return json::parse(in);
    }
    if (dir == dir.parent_path()) break;
  }
  throw std::runtime_error("fixture not found: " + relative);
}

struct Delivery {
  std::string forge, event, deliveryId;
  json payload;
  std::string source = "webhook";  // "poll": as the Events API poller appends it (hook "events-api")
};

// What an injected normalizer returns for a delivery it accepts: an activity line and nothing else.
inline store::ProcessedDelivery minimalRecords(const store::QueuedDelivery& d) {
  store::ProcessedDelivery p;
  p.id = d.id;
  p.activity.forge = d.forge;
  p.activity.kind = d.event;
  p.activity.summary = "ok";
  return p;
}

class ScenarioWorld {
 public:
  // `commands`: the [[rules]] commands each delivery queues at its first processing (none by default).
  explicit ScenarioWorld(pipeline::CommandMatcher commands = {})
      : store_(store::sqlite::openSqliteBackend({(dir_.path() / "forgehook.db").string(), false, 0, &testing::testKeyring()})),
        processor_(store_->processingQueue(), clock_, metrics_,
                   {64, {3, 1'000'000, 60'000'000, [] { return 0.5; }}, std::move(commands)}) {}

  // Appends deliveries as intake would commit them (a repeated delivery id is a duplicate).
  void receive(const std::vector<Delivery>& deliveries) {
    std::vector<store::NewDelivery> rows;
    for (const auto& d : deliveries) {
      store::NewDelivery n;
      n.forge = d.forge;
      // One hook, or the poller's; assignment from a literal trips a GCC 12 -Wrestrict false positive.
      n.hookId.append(d.source == "poll" ? "events-api" : "h");
      n.source = d.source;
      n.deliveryId = d.deliveryId;
      n.event = d.event;
      n.action = d.payload.value("action", "");
      n.repository = d.payload.contains("repository") && d.payload["repository"].is_object()
                         ? d.payload["repository"].value("full_name", "")
                         : "";
      n.sender = d.payload.contains("sender") ? d.payload["sender"].value("login", "") : "";
      n.contentType = "application/json";
      n.verification = "sha256";
      n.headersJson = "{}";
      n.receivedAt = clock_.nowMicros();
      n.body = d.payload.dump();
      n.bodySize = static_cast<std::int64_t>(n.body.size());
      n.bodyEncoding = "identity";
      rows.push_back(std::move(n));
    }
    auto ok = store_->deliveryLog().appendBatch(rows);
    if (!ok) throw std::runtime_error(ok.error().message);
  }

  pipeline::Processor::Step process() {
    auto step = processor_.drain();
    if (!step) throw std::runtime_error(step.error().message);
    return *step;
  }

  std::vector<json> list(const std::string& resource, std::function<void(store::ResourceQuery&)> edit = {}) {
    store::ResourceQuery q;
    q.resource = store::findResource(resource)->resource;
    q.limit = 500;
    if (edit) edit(q);
    auto page = store_->activityReader().listResource(q);
    if (!page) throw std::runtime_error(page.error().message);
    std::vector<json> out;
    for (const auto& item : page->items) out.push_back(json::parse(item));
    return out;
  }

  // Every projection, in a form that does not depend on row ids or insertion order.
  json snapshot() {
    json out = json::object();
    for (const auto& spec : store::resourceSpecs()) {
      const std::string resource(spec.name);
      std::vector<std::string> rows;
      for (auto row : list(resource)) {
        row.erase("delivery_id");
        if (resource == "incidents") row.erase("id");
        rows.push_back(row.dump());
      }
      std::sort(rows.begin(), rows.end());
      out[resource] = rows;
    }
    return out;
  }

  store::DeliveryLog& deliveries() { return store_->deliveryLog(); }
  store::ProcessingQueue& queue() { return store_->processingQueue(); }
  store::PlanningStore& planning() { return store_->planningStore(); }
  store::ActivityReader& reader() { return store_->activityReader(); }
  store::MetricsReader& metrics() { return store_->metricsReader(); }
  store::ChangeFeed& changes() { return store_->changeFeed(); }
  store::CommandRunStore& commandRuns() { return store_->commandRunStore(); }
  FakeClock& clock() { return clock_; }
  core::Metrics& pipelineMetrics() { return metrics_; }

  // A delivery's stored error (deliveries.last_error), read on a connection of its own: the store's
  // interface does not expose it. Empty when there is none.
  std::string lastError(std::int64_t deliveryId) const {
    auto db = store::sqlite::openDatabase((dir_.path() / "forgehook.db").string(), true, false);
    store::sqlite::Statement s(db.get(), "SELECT coalesce(last_error, '') FROM deliveries WHERE id = ?1");
    s.bind(1, deliveryId);
    return s.step() == SQLITE_ROW ? s.text(0) : "<no such delivery>";
  }

 private:
  TempDir dir_;
  std::unique_ptr<store::Backend> store_;
  FakeClock clock_;
  core::Metrics metrics_;
  pipeline::Processor processor_;
};

}  // namespace forgehook::testing
