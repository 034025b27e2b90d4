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

TEST(JsonTextTest, PlainTextIsValidUtf8WithoutControlCharacters) {
  EXPECT_TRUE(isPlainText("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
  EXPECT_TRUE(isPlainText("pull_request"));
  EXPECT_TRUE(isPlainText("Merge Request Hook \xc3\xa9\xe2\x82\xac"));  // é€
  EXPECT_TRUE(isPlainText(""));
  for (const std::string& bad : {std::string("a\0b", 3), std::string("tab\there"), std::string("nl\n"),
                                std::string("del\x7f"), std::string("\xff\xfe"), std::string("\xc3"),
                                std::string("\xed\xa0\x80") /* a surrogate */, std::string("\xc0\xaf") /* overlong */})
    EXPECT_FALSE(isPlainText(bad)) << bad;
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
