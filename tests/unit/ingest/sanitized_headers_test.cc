#include "ingest/sanitized_headers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace forgehook::ingest {
namespace {

TEST(SanitizedHeadersTest, CredentialValuesAreRedactedOthersKept) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-GitHub-Event", "push"},         {"X-Hub-Signature-256", "sha256=abc"}, {"x-hub-signature", "sha1=abc"},
      {"X-Gitlab-Token", "tok"},          {"X-Gitea-Signature", "hex"},          {"X-Forgejo-Signature", "hex"},
      {"webhook-signature", "v1,abc"},    {"Authorization", "Bearer t"},         {"Cookie", "a=b"},
      {"User-Agent", "GitHub-Hookshot/1"}};
  const auto json = nlohmann::json::parse(sanitizedHeadersJson(headers));
  EXPECT_EQ(json["X-GitHub-Event"], "push");
  EXPECT_EQ(json["User-Agent"], "GitHub-Hookshot/1");
  for (const char* name : {"X-Hub-Signature-256", "x-hub-signature", "X-Gitlab-Token", "X-Gitea-Signature",
                           "X-Forgejo-Signature", "webhook-signature", "Authorization", "Cookie"})
    EXPECT_EQ(json[name], "[redacted]") << name;
}

TEST(SanitizedHeadersTest, ValuesAreJsonEscaped) {
  const auto json = nlohmann::json::parse(sanitizedHeadersJson({{"X-Odd", "a\"b\\c\n"}}));
  EXPECT_EQ(json["X-Odd"], "a\"b\\c\n");
}

}  // namespace
}  // namespace forgehook::ingest
