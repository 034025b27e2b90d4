#pragma once
// A scripted ForgeHttp: a queue of expected requests (method and URL) with canned answers or
// transport failures, recording what was sent. An unexpected request fails the test and gets a 599.
// Also a sleeper that advances a FakeClock instead of sleeping, recording each wait.
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "forge/forge_errors.h"
#include "forge/forge_http.h"
#include "forge/sleeper.h"
#include "support/fake_clock.h"

namespace forgehook::forge {

class FakeForgeHttp final : public ForgeHttp {
 public:
  // Expects `method url` next and answers `status` with `body` and `headers` (names lower-case).
  void expect(std::string method, std::string url, int status, std::string body = {}, HeaderList headers = {}) {
    std::lock_guard lock(mutex_);
    script_.push_back({std::move(method), std::move(url), HttpResponse{status, std::move(headers), std::move(body), 3},
                       false});
  }
  // Expects `method url` next and fails it as a timeout would.
  void expectTimeout(std::string method, std::string url) {
    std::lock_guard lock(mutex_);
    script_.push_back({std::move(method), std::move(url), {}, true});
  }

  core::Result<HttpResponse> send(const HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(request);
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return HttpResponse{599, {}, {}, 0};
    }
    Exchange next = std::move(script_.front());
    script_.pop_front();
    EXPECT_EQ(next.method, request.method) << request.url;
    EXPECT_EQ(next.url, request.url);
    if (next.timeout) return std::unexpected(forgeUnavailable(request.method + " " + request.url + ": timed out"));
    return next.response;
  }

  [[nodiscard]] std::vector<HttpRequest> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  [[nodiscard]] HttpRequest lastSent() const {
    std::lock_guard lock(mutex_);
    return sent_.empty() ? HttpRequest{} : sent_.back();
  }
  [[nodiscard]] std::size_t pending() const {
    std::lock_guard lock(mutex_);
    return script_.size();
  }

 private:
  struct Exchange {
    std::string method;
    std::string url;
    HttpResponse response;
    bool timeout = false;
  };
  mutable std::mutex mutex_;
  std::deque<Exchange> script_;
  std::vector<HttpRequest> sent_;
};

// The value of header `name` (exact spelling) in `request`, if sent.
inline std::optional<std::string> sentHeader(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers)
    if (key == name) return value;
  return std::nullopt;
}

// Waits recorded and "slept" by moving the fake clock.
struct RecordingSleeper {
  explicit RecordingSleeper(testing::FakeClock& clock) : clock_(&clock) {}
  Sleeper sleeper() {
    return [this](std::int64_t ms) {
      std::lock_guard lock(mutex);
      waits.push_back(ms);
      clock_->advanceMicros(ms * 1000);
    };
  }
  std::int64_t total() {
    std::lock_guard lock(mutex);
    std::int64_t sum = 0;
    for (auto w : waits) sum += w;
    return sum;
  }
  std::mutex mutex;
  std::vector<std::int64_t> waits;

 private:
  testing::FakeClock* clock_;
};

}  // namespace forgehook::forge
