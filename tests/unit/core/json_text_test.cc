#include "core/json_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace forgehook::core {
namespace {

std::string asJson(std::string_view v) {
  std::string out;
  appendJsonString(out, v);
  return out;
}

TEST(JsonTextTest, ValidUtf8PassesThrough) {
  EXPECT_EQ(asJson("h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80"), "\"h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\"");
}

TEST(JsonTextTest, InvalidUtf8BecomesReplacementCharacterAndStaysParseable) {
  for (std::string_view bad : {std::string_view("\xFF"), std::string_view("a\xC3"), std::string_view("\xC0\xAF"),
                               std::string_view("\xED\xA0\x80"), std::string_view("\xF4\x90\x80\x80")}) {
    const std::string text = asJson(bad);
    EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos) << text;  // U+FFFD in UTF-8
    EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded()) << text;
  }
}

TEST(JsonTextTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(asJson(std::string("a\x01\"\\\n", 5)), "\"a\\u0001\\\"\\\\\\n\"");
}

}  // namespace
}  // namespace forgehook::core
