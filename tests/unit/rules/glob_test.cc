#include "rules/glob.h"

#include <gtest/gtest.h>

namespace forgehook::rules {
namespace {

TEST(Glob, StarMatchesAnyRunIncludingSlashes) {
  EXPECT_TRUE(globMatches("release/*", "release/1.2"));
  EXPECT_TRUE(globMatches("release/*", "release/"));
  EXPECT_TRUE(globMatches("*", ""));
  EXPECT_TRUE(globMatches("org/*", "org/team/app"));
  EXPECT_TRUE(globMatches("*-hotfix-*", "v1-hotfix-2"));
  EXPECT_TRUE(globMatches("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(globMatches("release/*", "releases/1"));
  EXPECT_FALSE(globMatches("a*b*c", "aXbYbZ"));
}

TEST(Glob, WithoutStarItIsExactAndCaseSensitive) {
  EXPECT_TRUE(globMatches("main", "main"));
  EXPECT_FALSE(globMatches("main", "Main"));
  EXPECT_FALSE(globMatches("main", "main2"));
  EXPECT_FALSE(globMatches("main", ""));
  EXPECT_FALSE(globMatches("?", "a"));  // only '*' is special
}

}  // namespace
}  // namespace forgehook::rules
