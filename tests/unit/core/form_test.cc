#include "core/form.h"

#include <gtest/gtest.h>

namespace forgehook::core {
namespace {

TEST(FormTest, FormPayloadFieldIsPercentDecoded) {
  auto json = decodeFormPayload("other=x&payload=%7B%22a%22%3A%22b+c%22%7D");
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(*json, R"({"a":"b c"})");
}

TEST(FormTest, FormWithoutPayloadOrWithBadEscapesIsMalformed) {
  for (const char* bad : {"", "a=1", "payload", "payload=", "payload=%7", "payload=%zz", "a=1&payload=%zz"}) {
    auto json = decodeFormPayload(bad);
    ASSERT_FALSE(json.has_value()) << bad;
    EXPECT_EQ(json.error().reason, "malformed_form") << bad;
  }
}

}  // namespace
}  // namespace forgehook::core
