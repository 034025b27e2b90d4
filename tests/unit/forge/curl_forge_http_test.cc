// The libcurl transport against a one-shot server on 127.0.0.1: the request as sent (method, headers,
// body), answer headers with lower-cased names, redirects not followed, the size cap, and a refused
// connection as forge_unavailable.
#include "forge/curl_forge_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/one_shot_server.h"

namespace forgehook::forge {
namespace {

using ::testing::HasSubstr;
using forgehook::testing::OneShotServer;

CurlForgeHttpOptions quick() {
  CurlForgeHttpOptions options;
  options.connectTimeoutMs = 2000;
  options.timeoutMs = 5000;
  return options;
}

TEST(CurlForgeHttpTest, SendsMethodHeadersAndBodyAndReadsTheAnswer) {
  OneShotServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-RateLimit-Remaining: 4999\r\n"
      "Link: <http://x/?page=2>; rel=\"next\"\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{\"id\":1}");
  CurlForgeHttp http(quick());
  const auto answer = http.send({"PATCH", server.url("/repos/o/r/hooks/1"),
                                 {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}},
                                 R"({"active":true})"});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, R"({"id":1})");
  EXPECT_EQ(answer->header("x-ratelimit-remaining"), "4999");
  EXPECT_EQ(answer->header("X-RateLimit-Remaining"), "4999");
  EXPECT_EQ(answer->header("link"), "<http://x/?page=2>; rel=\"next\"");
  const std::string& request = server.request();
  EXPECT_THAT(request, HasSubstr("PATCH /repos/o/r/hooks/1 HTTP/1.1\r\n"));
  EXPECT_THAT(request, HasSubstr("Authorization: Bearer t\r\n"));
  EXPECT_TRUE(request.ends_with("\r\n\r\n{\"active\":true}"));
}

TEST(CurlForgeHttpTest, ARedirectIsReturnedNotFollowed) {
  OneShotServer server("HTTP/1.1 301 Moved\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n");
  CurlForgeHttp http(quick());
  const auto answer = http.send({"GET", server.url("/x"), {}, {}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 301);
}

TEST(CurlForgeHttpTest, AnAnswerOverTheCapIsUnavailable) {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" + std::string(5000, 'x'));
  auto options = quick();
  options.maxResponseBytes = 1000;
  CurlForgeHttp http(options);
  const auto answer = http.send({"GET", server.url("/big"), {}, {}});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, "forge_unavailable");
  EXPECT_THAT(answer.error().message, HasSubstr("larger than 1000 bytes"));
}

TEST(CurlForgeHttpTest, ARefusedConnectionIsUnavailableWithoutTheHeaders) {
  int port = 0;
  {
    OneShotServer server("");
    port = std::stoi(server.url("").substr(17));
  }
  CurlForgeHttp http(quick());
  const auto answer =
      http.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/x?cursor=c", {{"Authorization", "Bearer tkn"}}, {}});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, core::Code::Unavailable);
  EXPECT_EQ(answer.error().reason, "forge_unavailable");
  EXPECT_THAT(answer.error().message, HasSubstr("GET http://127.0.0.1:"));
  EXPECT_EQ(answer.error().message.find("tkn"), std::string::npos);
  EXPECT_EQ(answer.error().message.find("cursor"), std::string::npos);
}

}  // namespace
}  // namespace forgehook::forge
