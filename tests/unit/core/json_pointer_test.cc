#include "core/json_pointer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forgehook::core {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST(JsonPointer, SplitsAndUnescapesTokens) {
  EXPECT_THAT(parseJsonPointer("/pull_request/base/ref"), Optional(ElementsAre("pull_request", "base", "ref")));
  EXPECT_THAT(parseJsonPointer("/a~1b/m~0n/~01"), Optional(ElementsAre("a/b", "m~n", "~1")));
  EXPECT_THAT(parseJsonPointer("/labels/0"), Optional(ElementsAre("labels", "0")));
  EXPECT_THAT(parseJsonPointer("/"), Optional(ElementsAre("")));
  EXPECT_THAT(parseJsonPointer(""), Optional(ElementsAre()));
}

TEST(JsonPointer, RejectsWhatIsNotAPointer) {
  EXPECT_EQ(parseJsonPointer("a/b"), std::nullopt);
  EXPECT_EQ(parseJsonPointer("/a~"), std::nullopt);
  EXPECT_EQ(parseJsonPointer("/a~2"), std::nullopt);
}

}  // namespace
}  // namespace forgehook::core
