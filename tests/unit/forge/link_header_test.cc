// Link-header pagination and the URL pieces the clients build paths from.
#include "forge/link_header.h"

#include <gtest/gtest.h>

namespace forgehook::forge {
namespace {

TEST(LinkHeaderTest, FindsTheNextLinkAmongOthers) {
  const std::string header =
      R"(<https://api.github.com/repositories/1/hooks?page=1>; rel="prev", )"
      R"(<https://api.github.com/repositories/1/hooks?page=3>; rel="next", )"
      R"(<https://api.github.com/repositories/1/hooks?page=5>; rel="last")";
  EXPECT_EQ(nextLink(header), "https://api.github.com/repositories/1/hooks?page=3");
}

TEST(LinkHeaderTest, NoNextOnTheLastPage) {
  EXPECT_FALSE(nextLink(R"(<https://x/hooks?page=1>; rel="first", <https://x/hooks?page=4>; rel="prev")"));
  EXPECT_FALSE(nextLink(""));
}

TEST(LinkHeaderTest, ReadsAndDecodesAQueryParameter) {
  const std::string url = "https://x/hooks/1/deliveries?per_page=100&cursor=v1_12345%3D%3D";
  EXPECT_EQ(queryParameter(url, "cursor"), "v1_12345==");
  EXPECT_EQ(queryParameter(url, "per_page"), "100");
  EXPECT_FALSE(queryParameter(url, "page"));
}

TEST(LinkHeaderTest, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(percentEncode("group/sub-group/my_project.x~"), "group%2Fsub-group%2Fmy_project.x~");
  EXPECT_EQ(percentEncode("a b?#"), "a%20b%3F%23");
}

}  // namespace
}  // namespace forgehook::forge
