#pragma once
// An in-memory Store for tests above the store: dedupes like the real one, never touches disk.
#include <map>
#include <mutex>
#include <tuple>

#include "store/store.h"

namespace forgehook::testing {

// The pipeline and activity-model half of Store, for fakes of the intake half: those are tested
// against the real SqliteStore, and tests that use these fakes never reach them (Unavailable).
class IntakeOnlyStore : public store::Store {
 public:
  static core::Error notHere() { return core::Error::unavailable("store_unavailable", "not in FakeStore", 1); }
  core::Result<std::vector<store::QueuedDelivery>> dueForProcessing(int, std::int64_t) override {
    return std::unexpected(notHere());
  }
  core::Result<int> finishProcessing(std::span<const store::ProcessedDelivery>, std::span<const store::FailedDelivery>,
                                     std::int64_t) override {
    return std::unexpected(notHere());
  }
  core::Result<std::int64_t> requeue(const store::DeliveryFilter&) override { return std::unexpected(notHere()); }
  core::Result<std::int64_t> rebuildProjections() override { return std::unexpected(notHere()); }
  core::Result<store::ResourcePage> listResource(const store::ResourceQuery&) override {
    return std::unexpected(notHere());
  }
  core::Result<std::string> getItem(std::int64_t) override { return std::unexpected(notHere()); }
  core::Result<std::string> createItem(const store::ItemInput&, std::int64_t) override {
    return std::unexpected(notHere());
  }
  core::Result<std::string> updateItem(std::int64_t, const store::ItemInput&, std::int64_t) override {
    return std::unexpected(notHere());
  }
  core::Result<void> deleteItem(std::int64_t) override { return std::unexpected(notHere()); }
  core::Result<std::string> acknowledgeIncident(std::int64_t, const std::string&, const std::string&,
                                                std::int64_t) override {
    return std::unexpected(notHere());
  }
  core::Result<std::vector<std::string>> aggregate(const std::string&, const std::vector<store::FieldValue>&) override {
    return std::unexpected(notHere());
  }
};

class FakeStore final : public IntakeOnlyStore {
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
  core::Result<store::DeliveryPage> listDeliveries(const store::DeliveryFilter&) override {
    return store::DeliveryPage{};
  }
  core::Result<store::DeliveryDetail> getDelivery(std::int64_t) override {
    return std::unexpected(core::Error::notFound("fake"));
  }
  core::Result<std::vector<store::ScopedSecrets>> loadSecrets() override { return std::vector<store::ScopedSecrets>{}; }
  core::Result<void> putSecrets(const store::ScopedSecrets&) override { return {}; }
  core::Result<void> deleteSecrets(const std::string&, const std::string&, const std::string&) override { return {}; }
  core::Result<void> checkWritable() override { return {}; }

  bool failing = false;
  std::vector<store::NewDelivery> rows;

 private:
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> ids_;
  std::int64_t nextId_ = 1;
};

}  // namespace forgehook::testing
