// Refusals mapped to forge_client.h's reasons, with the forge's words and a hint to fix them.
#include "forge/error_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forgehook::forge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const HttpRequest kHooks{"GET", "https://api.github.test/repos/o/r/hooks?per_page=100", {}, {}};

core::Error mapped(core::Forge forge, int status, std::string body, HeaderList headers = {},
                   const HttpRequest& request = kHooks) {
  return errorFromAnswer(forge, request, HttpResponse{status, std::move(headers), std::move(body), 1});
}

TEST(ErrorMappingTest, GitHub404OnAHookRouteExplainsTheMissingPermission) {
  const auto error = mapped(core::Forge::GitHub, 404, R"({"message":"Not Found"})");
  EXPECT_EQ(error.code, core::Code::NotFound);
  EXPECT_EQ(error.reason, "forge_not_found");
  EXPECT_THAT(error.message, HasSubstr("GET /repos/o/r/hooks"));
  EXPECT_THAT(error.message, Not(HasSubstr("per_page")));
  EXPECT_THAT(error.message, HasSubstr("the repository does not exist or the token cannot see it"));
  EXPECT_THAT(error.message, HasSubstr("admin:repo_hook"));
  EXPECT_THAT(error.message, HasSubstr("Webhooks repository permission"));
}

TEST(ErrorMappingTest, Forbidden403NamesTheAcceptedPermission) {
  const auto error = mapped(core::Forge::GitHub, 403, R"({"message":"Resource not accessible by integration"})",
                            {{"x-accepted-github-permissions", "repository_hooks=write"}});
  EXPECT_EQ(error.code, core::Code::Forbidden);
  EXPECT_EQ(error.reason, "forge_forbidden");
  EXPECT_THAT(error.message, HasSubstr("repository_hooks=write"));
  EXPECT_THAT(error.message, HasSubstr("Resource not accessible by integration"));
}

TEST(ErrorMappingTest, Unauthorized401) {
  const auto error = mapped(core::Forge::GitLab, 401, R"({"message":"401 Unauthorized"})");
  EXPECT_EQ(error.code, core::Code::Unauthenticated);
  EXPECT_EQ(error.reason, "forge_unauthorized");
}

TEST(ErrorMappingTest, GitLabValidationObjectIsQuoted) {
  const auto error = mapped(core::Forge::GitLab, 400, R"({"message":{"url":["is blocked"]}})");
  EXPECT_EQ(error.reason, "forge_rejected");
  EXPECT_THAT(error.message, HasSubstr("is blocked"));
}

TEST(ErrorMappingTest, ServerErrorsAreUnavailable) {
  const auto error = mapped(core::Forge::Gitea, 502, "<html>bad gateway</html>");
  EXPECT_EQ(error.code, core::Code::Unavailable);
  EXPECT_EQ(error.reason, "forge_unavailable");
}

}  // namespace
}  // namespace forgehook::forge
