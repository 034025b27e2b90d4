// The libcurl poster: the address guard before any connection (a numeric loopback URL, a name
// resolving to loopback), and against a one-shot HTTP server on 127.0.0.1 (guard off): the request
// as sent, a 2xx, a redirect not followed, the 1 KB excerpt of a long answer, a refused connection.
#include "outbound/curl_poster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/one_shot_server.h"

namespace forgehook::outbound {
namespace {

using ::testing::HasSubstr;
using forgehook::testing::OneShotServer;

PostRequest requestTo(std::string url) {
  return {std::move(url), {{"Content-Type", "application/json"}, {"webhook-id", "msg_1_7"}}, R"({"seq":7})"};
}

CurlPoster poster(bool allowPrivate) {
  CurlPosterOptions o;
  o.connectTimeoutMs = 2000;
  o.timeoutMs = 5000;
  o.allowPrivateNetworks = allowPrivate;
  o.userAgent = "forgehook/test";
  return CurlPoster(o);
}

TEST(CurlPosterTest, TheGuardRefusesALoopbackLiteralAndANameResolvingToLoopbackBeforeConnecting) {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto p = poster(false);
  auto r = p.post(requestTo(server.url()));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.statusCode.has_value());
  EXPECT_THAT(*r.error, HasSubstr("127.0.0.1 is a loopback address"));
  r = p.post(requestTo("http://localhost:" + server.url().substr(17)));
  EXPECT_THAT(*r.error, HasSubstr("localhost resolves to"));
  EXPECT_THAT(*r.error, HasSubstr("a loopback address"));
  EXPECT_TRUE(server.request().empty());
}

TEST(CurlPosterTest, PostsTheBodyAndHeadersAndA2xxIsSuccess) {
  OneShotServer server("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  auto p = poster(true);
  const auto r = p.post(requestTo(server.url()));
  EXPECT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.statusCode, 204);
  EXPECT_THAT(server.request(), HasSubstr("POST /hook HTTP/1.1\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("User-Agent: forgehook/test\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("webhook-id: msg_1_7\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_TRUE(server.request().ends_with("\r\n\r\n{\"seq\":7}"));
}

TEST(CurlPosterTest, ARedirectIsNotFollowedAndIsAFailedAttempt) {
  OneShotServer server(
      "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\r\nContent-Length: 0\r\nConnection: "
      "close\r\n\r\n");
  auto p = poster(true);
  const auto r = p.post(requestTo(server.url()));
  EXPECT_EQ(r.statusCode, 302);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(*r.error, HasSubstr("redirect not followed (HTTP 302, Location: http://169.254.169.254/latest)"));
}

TEST(CurlPosterTest, ANon2xxFailsWithItsStatusAndKeeps1KBOfTheAnswer) {
  const std::string body(5000, 'x');
  OneShotServer server("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" +
                       body);
  auto p = poster(true);
  const auto r = p.post(requestTo(server.url()));
  EXPECT_EQ(r.statusCode, 500);
  EXPECT_EQ(r.error, "HTTP 500");
  EXPECT_EQ(r.responseExcerpt, std::string(kExcerptBytes, 'x'));
}

TEST(CurlPosterTest, AClosedPortIsAFailureWithoutAStatus) {
  int port = 0;
  {
    OneShotServer server("");
    port = std::stoi(server.url().substr(17));
  }  // closed again
  auto p = poster(true);
  const auto r = p.post(requestTo("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.statusCode.has_value());
  EXPECT_THAT(*r.error, HasSubstr("onnect"));
}

}  // namespace
}  // namespace forgehook::outbound
