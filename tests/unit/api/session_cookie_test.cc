#include "api/session_cookie.h"

#include <gtest/gtest.h>

namespace forgehook::api {
namespace {

http::Request withHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  http::Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(SessionCookieTest, FindsTheSessionCookieAmongOthers) {
  EXPECT_EQ(sessionCookie(withHeaders({{"Cookie", "a=1; fh_session=abc ; b=2"}})), "abc");
  EXPECT_EQ(sessionCookie(withHeaders({{"cookie", "fh_session=xyz"}})), "xyz");
  EXPECT_EQ(sessionCookie(withHeaders({{"Cookie", "a=1"}, {"Cookie", "fh_session=two"}})), "two");
}

TEST(SessionCookieTest, NoCookieAnEmptyOneOrALookalikeNameIsNone) {
  EXPECT_FALSE(sessionCookie(withHeaders({})).has_value());
  EXPECT_FALSE(sessionCookie(withHeaders({{"Cookie", "fh_session="}})).has_value());
  EXPECT_FALSE(sessionCookie(withHeaders({{"Cookie", "xfh_session=1; fh_session_old=2"}})).has_value());
  EXPECT_FALSE(sessionCookie(withHeaders({{"Authorization", "fh_session=1"}})).has_value());
}

TEST(SessionCookieTest, SetCookieIsHttpOnlySameSiteStrictOnTheWholeSite) {
  const auto set = sessionSetCookie("abc", 3600, false);
  EXPECT_EQ(set, "fh_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
  EXPECT_EQ(sessionSetCookie("abc", 60, true), "fh_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(sessionClearCookie(false), "fh_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(SessionCookieTest, TlsIsWhatTheProxySays) {
  EXPECT_TRUE(cameOverTls(withHeaders({{"X-Forwarded-Proto", "https"}})));
  EXPECT_TRUE(cameOverTls(withHeaders({{"x-forwarded-proto", " HTTPS "}})));
  EXPECT_FALSE(cameOverTls(withHeaders({{"X-Forwarded-Proto", "http"}})));
  EXPECT_FALSE(cameOverTls(withHeaders({})));
}

}  // namespace
}  // namespace forgehook::api
