#include "core/error.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace forgehook::core {
namespace {

TEST(ErrorTest, HttpStatusForEveryCode) {
  const std::vector<std::pair<Code, int>> expected = {
      {Code::InvalidArgument, 400},
      {Code::Unauthenticated, 401},
      {Code::Forbidden, 403},
      {Code::NotFound, 404},
      {Code::MethodNotAllowed, 405},
      {Code::Conflict, 409},
      {Code::TooLarge, 413},
      {Code::UnsupportedMediaType, 415},
      {Code::RateLimited, 429},
      {Code::HeadersTooLarge, 431},
      {Code::Internal, 500},
      {Code::Unavailable, 503},
  };
  for (const auto& [code, status] : expected) EXPECT_EQ(httpStatus(code), status) << static_cast<int>(code);
}

TEST(ErrorTest, FactoriesSetCodeReasonAndRetryAfter) {
  EXPECT_EQ(Error::invalidArgument("bad_limit", "m").code, Code::InvalidArgument);
  EXPECT_EQ(Error::invalidArgument("bad_limit", "m").reason, "bad_limit");
  EXPECT_EQ(Error::unauthenticated("invalid_signature", "m").reason, "invalid_signature");
  EXPECT_EQ(Error::notFound("m").reason, "not_found");
  EXPECT_EQ(Error::forbidden("m").code, Code::Forbidden);
  EXPECT_EQ(Error::forbidden("m").reason, "forbidden");
  EXPECT_EQ(Error::methodNotAllowed("m").code, Code::MethodNotAllowed);
  EXPECT_EQ(Error::tooLarge("m").code, Code::TooLarge);
  EXPECT_EQ(Error::unsupportedMediaType("m").code, Code::UnsupportedMediaType);
  EXPECT_EQ(Error::headersTooLarge("m").code, Code::HeadersTooLarge);
  EXPECT_EQ(Error::internal("m").code, Code::Internal);

  const Error limited = Error::rateLimited("slow down", 3);
  EXPECT_EQ(limited.code, Code::RateLimited);
  EXPECT_EQ(limited.retryAfterSeconds, 3);
  const Error unavailable = Error::unavailable("store_unavailable", "disk full", 30);
  EXPECT_EQ(unavailable.code, Code::Unavailable);
  EXPECT_EQ(unavailable.reason, "store_unavailable");
  EXPECT_EQ(unavailable.message, "disk full");
  EXPECT_EQ(unavailable.retryAfterSeconds, 30);
  EXPECT_EQ(Error::notFound("m").retryAfterSeconds, 0);
}

TEST(ErrorTest, ErrorJsonHasReasonAndMessage) {
  EXPECT_EQ(errorJson(Error::notFound("no delivery with id 7")),
            R"({"error":"not_found","message":"no delivery with id 7"})");
}

TEST(ErrorTest, ErrorJsonEscapesQuotesAndBackslashes) {
  const Error e = Error::invalidArgument("bad\"reason", R"(say "hi" \ bye)");
  EXPECT_EQ(errorJson(e), R"({"error":"bad\"reason","message":"say \"hi\" \\ bye"})");
}

TEST(ErrorTest, ErrorJsonEscapesNewlinesAndTabs) {
  const Error e = Error::invalidArgument("r", "line one\nline two\r\n\tindented");
  EXPECT_EQ(errorJson(e), R"({"error":"r","message":"line one\nline two\r\n\tindented"})");
}

TEST(ErrorTest, ErrorJsonEscapesOtherControlCharacters) {
  const Error e = Error::invalidArgument("r", std::string("a\x01"
                                                          "b\x1f"
                                                          "c") +
                                                  '\0' + "d\x08");
  EXPECT_EQ(errorJson(e), R"({"error":"r","message":"a\u0001b\u001fc\u0000d\u0008"})");
}

TEST(ErrorTest, ErrorJsonKeepsUtf8AsIs) {
  const Error e = Error::invalidArgument("r", "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(errorJson(e), "{\"error\":\"r\",\"message\":\"caf\xc3\xa9 \xe2\x9c\x93\"}");
}

}  // namespace
}  // namespace forgehook::core
