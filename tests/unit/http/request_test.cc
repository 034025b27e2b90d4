#include "http/request.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/error.h"

namespace forgehook::http {
namespace {

Request withHeaders() {
  Request r;
  r.headers = {{"Content-Type", "application/json"},
               {"X-GitHub-Event", "push"},
               {"x-github-event", "second value"},
               {"X-Empty", ""}};
  return r;
}

Request withQuery(std::string query) {
  Request r;
  r.query = std::move(query);
  return r;
}

TEST(RequestTest, HeaderLookupIgnoresCase) {
  const Request r = withHeaders();
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.header("X-Github-Event"), "push");  // the first of repeated headers
}

TEST(RequestTest, AbsentHeaderIsEmptyAndNotPresent) {
  const Request r = withHeaders();
  EXPECT_EQ(r.header("X-Hub-Signature-256"), "");
  EXPECT_FALSE(r.hasHeader("X-Hub-Signature-256"));
  EXPECT_FALSE(r.hasHeader("Content-Typ"));
  EXPECT_TRUE(r.hasHeader("x-empty"));  // present though empty
  EXPECT_TRUE(r.hasHeader("CONTENT-type"));
}

TEST(RequestTest, QueryParamIsPercentDecoded) {
  const Request r = withQuery(
      "forge=github&repository=Codertocat%2FHello-World&event=Merge+Request+Hook&since=2026-11-23T10%3A00%3A00Z");
  EXPECT_EQ(r.queryParam("forge"), "github");
  EXPECT_EQ(r.queryParam("repository"), "Codertocat/Hello-World");
  EXPECT_EQ(r.queryParam("event"), "Merge Request Hook");
  EXPECT_EQ(r.queryParam("since"), "2026-11-23T10:00:00Z");
}

TEST(RequestTest, AbsentQueryParamIsNothing) {
  EXPECT_EQ(withQuery("forge=github").queryParam("event"), std::nullopt);
  EXPECT_EQ(withQuery("").queryParam("forge"), std::nullopt);
  // A name is matched whole, not as a prefix or suffix of another.
  EXPECT_EQ(withQuery("limits=5&xlimit=6").queryParam("limit"), std::nullopt);
}

TEST(RequestTest, QueryParamMatchesWholeNameAmongOthers) {
  EXPECT_EQ(withQuery("limits=5&limit=10&cursor=3").queryParam("limit"), "10");
  EXPECT_EQ(withQuery("limits=5&limit=10&cursor=3").queryParam("cursor"), "3");
}

TEST(RequestTest, QueryParamWithoutValueIsEmpty) {
  EXPECT_EQ(withQuery("a=1&flag&b=2").queryParam("flag"), "");
  EXPECT_EQ(withQuery("flag=").queryParam("flag"), "");
}

TEST(RequestTest, QueryParamNameIsDecodedToo) { EXPECT_EQ(withQuery("my%20key=v").queryParam("my key"), "v"); }

TEST(RequestTest, MalformedQueryValueIsNothing) {
  EXPECT_EQ(withQuery("cursor=%zz").queryParam("cursor"), std::nullopt);
}

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  std::string out;
  ASSERT_TRUE(percentDecode("a%41%2f%2Fb+c", out));
  EXPECT_EQ(out, "aA//b c");
  ASSERT_TRUE(percentDecode("%25", out));
  EXPECT_EQ(out, "%");
  ASSERT_TRUE(percentDecode("", out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(percentDecode("%00x", out));
  EXPECT_EQ(out, std::string("\0x", 2));
}

TEST(PercentDecodeTest, MalformedEscapesFail) {
  for (const char* bad : {"%", "%4", "%zz", "%g1", "%1g", "abc%", "abc%4", "%%41"}) {
    std::string out;
    EXPECT_FALSE(percentDecode(bad, out)) << '"' << bad << '"';
  }
}

TEST(EqualsIgnoreCaseTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(equalsIgnoreCase("X-Gitlab-Token", "x-gitlab-token"));
  EXPECT_FALSE(equalsIgnoreCase("X-Gitlab-Token", "x-gitlab-toke"));
  EXPECT_FALSE(equalsIgnoreCase("abc", "abd"));
}

TEST(ErrorResponseTest, SetsStatusAndJsonBody) {
  const core::Error error = core::Error::notFound("no delivery with id 9");
  const Response r = errorResponse(error);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.body, R"({"error":"not_found","message":"no delivery with id 9"})");
  EXPECT_EQ(r.body, core::errorJson(error));
  EXPECT_TRUE(r.headers.empty());
}

TEST(ErrorResponseTest, RetryAfterOnlyWhenPositive) {
  const Response limited = errorResponse(core::Error::rateLimited("slow down", 7));
  EXPECT_EQ(limited.status, 429);
  ASSERT_EQ(limited.headers.size(), 1u);
  EXPECT_EQ(limited.headers[0].first, "Retry-After");
  EXPECT_EQ(limited.headers[0].second, "7");

  const Response busy = errorResponse(core::Error::unavailable("intake_backlog_full", "busy", 1));
  EXPECT_EQ(busy.status, 503);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].second, "1");

  EXPECT_TRUE(errorResponse(core::Error::unavailable("store_unavailable", "down", 0)).headers.empty());
  EXPECT_TRUE(errorResponse(core::Error::unavailable("store_unavailable", "down", -3)).headers.empty());
}

}  // namespace
}  // namespace forgehook::http
