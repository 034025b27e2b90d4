#pragma once
// What the tests of the route table share: every route of ApiRoutes on a temp SQLite database with
// a fake clock, called through the router as the server calls them (no sockets).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "api/api_routes.h"
#include "core/log.h"
#include "http/router.h"
#include "store/sqlite/sqlite_backend.h"
#include "support/test_keyring.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace forgehook::api {

const std::string kToken = "admin-token-for-tests";

class FakeQueueListener final : public store::QueueListener {
 public:
  void intakeCommitted(std::size_t) override { ++committed; }
  void requeued() override { ++requeues; }
  std::atomic<int> committed = 0, requeues = 0;
};

class ApiRoutesTest : public ::testing::Test {
 protected:
  ApiRoutesTest() {
    for (auto& route : api_.routes()) router_.add(std::move(route));
  }

  // Calls the handler the router picks, as the server would, and returns its response.
  http::Response call(std::string method, std::string path, std::string query = "", std::string body = "",
                      const std::string* token = &kToken) {
    http::Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.query = std::move(query);
    request.body = std::move(body);
    if (token) request.headers.emplace_back("Authorization", "Bearer " + *token);
    const auto match = router_.match(request.method, request.path);
    if (!match.route) {
      ADD_FAILURE() << "no route for " << request.method << " " << request.path;
      return http::jsonResponse(match.status, "{}");
    }
    if (match.route->stream) {
      // A stream route answers with a refusal, or opens (shown here as a plain 200).
      auto answer = match.route->streamHandler(request);
      return answer.refusal ? *answer.refusal : http::jsonResponse(200, "{\"stream\":\"open\"}");
    }
    std::optional<http::Response> response;
    match.route->handler(std::move(request), [&](http::Response r) { response = std::move(r); });
    if (!response) {
      ADD_FAILURE() << "the handler did not reply";
      return http::jsonResponse(500, "{}");
    }
    return *response;
  }
  std::int64_t appendDelivery(const std::string& id) {
    store::NewDelivery d;
    d.forge = "github";
    d.deliveryId = id;
    d.event = "ping";
    d.headersJson = "{}";
    d.body = "{}";
    d.bodySize = 2;
    d.bodyEncoding = "identity";
    auto out = backend_->deliveryLog().appendBatch(std::span(&d, 1));
    EXPECT_TRUE(out.has_value());
    return out ? (*out)[0].id : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Backend> backend_ =
      store::sqlite::openSqliteBackend({(dir_.path() / "forgehook.db").string(), false, 0, &testing::testKeyring()});
  testing::FakeClock clock_{1'795'428'000'000'000};
  core::Metrics metrics_;
  FakeQueueListener pipeline_;
  int secretsChanged_ = 0;
  int subscriptionsChanged_ = 0;  // the subscription dispatcher's wake-ups
  core::Logger logger_{core::LogLevel::Error};
  live::ChangeHub hub_{backend_->changeFeed(), logger_, {}};  // not started: no stream is opened here
  ApiRoutes api_{{*backend_,
                  clock_,
                  metrics_,
                  kToken,
                  pipeline_,
                  [this] { ++secretsChanged_; },
                  hub_,
                  {},
                  [this] { ++subscriptionsChanged_; }}};
  http::Router router_;
};

}  // namespace forgehook::api
