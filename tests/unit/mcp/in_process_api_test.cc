#include "mcp/in_process_api.h"

#include <gtest/gtest.h>

#include <thread>

namespace forgehook::mcp {
namespace {

using namespace std::chrono_literals;

http::Router router() {
  http::Router r;
  // Echoes what the route saw, so the test sees the request the API would.
  r.add({.method = "POST", .path = "/api/v1/echo", .handler = [](http::Request&& request, http::Reply reply) {
           reply(http::jsonResponse(200, nlohmann::json{{"authorization", request.header("Authorization")},
                                                        {"query", request.query},
                                                        {"body", request.body}}
                                             .dump()));
         }});
  r.add({.method = "GET", .path = "/api/v1/later", .handler = [](http::Request&&, http::Reply reply) {
           std::thread([reply] {
             std::this_thread::sleep_for(5ms);
             reply(http::jsonResponse(409, R"({"error":"conflict","message":"not now"})"));
           }).detach();
         }});
  r.add({.method = "GET", .path = "/api/v1/never", .handler = [](http::Request&&, http::Reply) {}});
  return r;
}

TEST(InProcessApiTest, TheRouteSeesTheCallersTokenQueryAndBody) {
  const auto r = router();
  const InProcessApi api(r);
  const auto answer = api.call("POST", "/api/v1/echo", "a=1", {{"x", 1}}, "tok");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer.body["authorization"], "Bearer tok");
  EXPECT_EQ(answer.body["query"], "a=1");
  EXPECT_EQ(nlohmann::json::parse(answer.body["body"].get<std::string>()), (nlohmann::json{{"x", 1}}));
}

TEST(InProcessApiTest, AnAsyncAnswerIsWaitedForAndAnErrorKeepsItsReason) {
  const auto r = router();
  const InProcessApi api(r);
  const auto answer = api.call("GET", "/api/v1/later", "", nullptr, "tok");
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.errorText(), "HTTP 409 conflict: not now");
}

TEST(InProcessApiTest, UnknownPathsAndSilentRoutesDoNotHang) {
  const auto r = router();
  const InProcessApi api(r, 20ms);
  EXPECT_EQ(api.call("GET", "/api/v1/none", "", nullptr, "tok").status, 404);
  EXPECT_EQ(api.call("GET", "/api/v1/echo", "", nullptr, "tok").status, 405);
  EXPECT_EQ(api.call("GET", "/api/v1/never", "", nullptr, "tok").status, 504);
}

TEST(InProcessApiTest, AnErrorTextIsTheApisStatusReasonAndMessage) {
  const ApiAnswer answer{403, {{"error", "forbidden"}, {"message", "read-only token: this needs the admin token"}}};
  EXPECT_EQ(answer.errorText(), "HTTP 403 forbidden: read-only token: this needs the admin token");
}

TEST(InProcessApiTest, QueryStringsAreEncodedAndSkipEmptyValues) {
  EXPECT_EQ(queryString({{"repository", "o/r"}, {"kind", ""}, {"q", "a b&c"}}), "repository=o%2Fr&q=a%20b%26c");
}

}  // namespace
}  // namespace forgehook::mcp
