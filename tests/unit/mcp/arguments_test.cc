#include "mcp/arguments.h"

#include <gtest/gtest.h>

#include "mcp/tool_catalog.h"

namespace forgehook::mcp {
namespace {

const nlohmann::json& schema() {
  static const auto kSchema = nlohmann::json::parse(R"({
    "type": "object", "additionalProperties": false, "required": ["id"],
    "properties": {
      "id": {"type": "integer", "minimum": 1},
      "state": {"type": "string", "enum": ["open", "closed"]},
      "name": {"type": "string", "minLength": 1},
      "tags": {"type": "array", "items": {"type": "string"}},
      "limit": {"type": "integer", "maximum": 500},
      "flag": {"type": "boolean"}
    }})");
  return kSchema;
}

std::string errorOf(std::string_view arguments) {
  return argumentError(schema(), nlohmann::json::parse(arguments)).value_or("");
}

TEST(ArgumentsTest, ValidArgumentsPass) {
  EXPECT_EQ(errorOf(R"({"id": 3, "state": "open", "tags": ["a"], "flag": true, "limit": 500})"), "");
}

TEST(ArgumentsTest, EachViolationNamesTheArgument) {
  EXPECT_EQ(errorOf("{}"), "missing required argument \"id\"");
  EXPECT_EQ(errorOf(R"({"id": "3"})"), "id must be an integer");
  EXPECT_EQ(errorOf(R"({"id": 1.5})"), "id must be an integer");
  EXPECT_EQ(errorOf(R"({"id": 0})"), "id must be at least 1");
  EXPECT_EQ(errorOf(R"({"id": 1, "limit": 501})"), "limit must be at most 500");
  EXPECT_EQ(errorOf(R"({"id": 1, "state": "merged"})"), "state must be one of \"open\", \"closed\"");
  EXPECT_EQ(errorOf(R"({"id": 1, "name": ""})"), "name must not be empty");
  EXPECT_EQ(errorOf(R"({"id": 1, "tags": ["a", 2]})"), "tags[1] must be a string");
  EXPECT_EQ(errorOf(R"({"id": 1, "flag": "yes"})"), "flag must be a boolean");
  EXPECT_EQ(errorOf(R"({"id": 1, "colour": "red"})"), "unknown argument \"colour\"");
}

TEST(ArgumentsTest, ArgumentsMustBeAnObject) {
  EXPECT_EQ(argumentError(schema(), nlohmann::json::array()).value_or(""), "arguments must be an object");
  // Absent arguments are {}: only the required ones are missing.
  EXPECT_EQ(argumentError(schema(), nullptr).value_or(""), "missing required argument \"id\"");
}

TEST(ArgumentsTest, RemoveWebhooksWithoutConfirmIsRefusedBeforeTheApi) {
  const auto* tool = findTool("remove_webhooks");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(argumentError(tool->inputSchema, nlohmann::json::object()).value_or(""),
            "missing required argument \"confirm\"");
}

}  // namespace
}  // namespace forgehook::mcp
