#pragma once
// In-memory delivery logs for tests above the store: they dedupe like the real one and never touch
// disk. Reads are not needed by those tests (the real ones are tested against SQLite).
#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "store/delivery_log.h"

namespace forgehook::testing {

// The read half of DeliveryLog for fakes that only append.
class AppendOnlyDeliveryLog : public store::DeliveryLog {
 public:
  core::Result<store::DeliveryPage> listDeliveries(const store::DeliveryFilter&) override {
    return store::DeliveryPage{};
  }
  core::Result<store::DeliveryDetail> getDelivery(std::int64_t) override {
    return std::unexpected(core::Error::notFound("not in a fake delivery log"));
  }
  core::Result<std::vector<std::string>> storedDeliveryIds(const std::string&, const std::string&,
                                                           std::span<const std::string>) override {
    return std::vector<std::string>{};
  }
  core::Result<void> checkWritable() override { return {}; }
};

class FakeDeliveryLog final : public AppendOnlyDeliveryLog {
 public:
  core::Result<std::vector<store::AppendOutcome>> appendBatch(std::span<const store::NewDelivery> batch) override {
    std::lock_guard lock(mutex_);
    if (failing) return std::unexpected(core::Error::unavailable("store_unavailable", "fake store is failing", 1));
    std::vector<store::AppendOutcome> out;
    for (const auto& d : batch) {
      auto [it, inserted] = ids_.try_emplace({d.forge, d.hookId, d.deliveryId}, nextId_);
      if (inserted) {
        ++nextId_;
        rows.push_back(d);
      }
      out.push_back({inserted ? store::AppendStatus::Inserted : store::AppendStatus::Duplicate, it->second});
    }
    return out;
  }
  core::Result<std::vector<std::string>> storedDeliveryIds(const std::string& forge, const std::string& hookId,
                                                           std::span<const std::string> deliveryIds) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> stored;
    for (const auto& id : deliveryIds)
      if (ids_.contains({forge, hookId, id}) && std::find(stored.begin(), stored.end(), id) == stored.end())
        stored.push_back(id);
    return stored;
  }

  bool failing = false;
  std::vector<store::NewDelivery> rows;

 private:
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> ids_;
  std::int64_t nextId_ = 1;
};

}  // namespace forgehook::testing
