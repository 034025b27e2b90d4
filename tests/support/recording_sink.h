#pragma once
// A StreamSink that records what is sent and whether it was closed, never refusing. Thread-safe.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "http/stream.h"

namespace forgehook::testing {

class RecordingSink final : public http::StreamSink {
 public:
  bool send(http::StreamMessage message) override {
    std::lock_guard lock(mutex_);
    messages_.push_back(*message);
    return true;
  }
  using http::StreamSink::send;
  void close(int, std::string, std::string) override { closed_ = true; }
  [[nodiscard]] bool isOpen() const override { return !closed_; }
  [[nodiscard]] std::size_t queuedBytes() const override { return 0; }
  [[nodiscard]] std::size_t queueLimit() const override { return 1 << 20; }
  void whenQueuedBelow(std::size_t, std::function<void()> then) override { then(); }

  [[nodiscard]] std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::atomic<bool> closed_{false};
};

}  // namespace forgehook::testing
