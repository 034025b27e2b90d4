#include "ingest/webhook_endpoint.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>

#include "support/examples.h"
#include "support/fake_clock.h"
#include "support/fake_store.h"
#include "support/temp_dir.h"
#include "verify/gitea.h"
#include "verify/github.h"
#include "verify/hmac.h"
#include "verify/standard_webhooks.h"

namespace forgehook::ingest {
namespace {

using testing::FakeClock;
using testing::FakeDeliveryLog;

std::string formOf(const std::string& json) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "payload=";
  for (unsigned char c : json) {
    if (std::isalnum(c))
      out += static_cast<char>(c);
    else
      out += std::string("%") + kHex[c >> 4] + kHex[c & 15];
  }
  return out;
}

// One forge's endpoint wired to fakes, with helpers that build requests as the forge sends them.
class EndpointTest : public ::testing::Test {
 protected:
  void build(std::map<std::string, std::vector<std::string>> configured = {
                 {"github", {"current", "previous"}}, {"gitlab", {"gl-token"}}, {"gitea", {"gt-secret"}}}) {
    resolver = std::make_unique<SecretResolver>(std::move(configured));
    github = makeGitHubScheme(githubConfig);
    gitlab = makeGitLabScheme(gitlabConfig);
    gitea = makeGiteaScheme(giteaConfig);
    limiter = std::make_unique<RateLimiter>(rate, rate, clock);
    throttle = std::make_unique<FailureThrottle>(6, failureBurst, clock);
  }
  WebhookEndpoint endpoint(const ForgeScheme& scheme) {
    return WebhookEndpoint({scheme, *resolver, intake, *limiter, clock, metrics, 1, throttle.get(), logger.get()});
  }
  static http::Request githubRequest(const std::string& body, const std::string& secret, bool form = false) {
    http::Request r;
    r.method = "POST";
    r.path = "/webhooks/github";
    r.remoteAddress = "192.0.2.1";
    r.body = form ? formOf(body) : body;
    r.headers = {{"Content-Type", form ? "application/x-www-form-urlencoded" : "application/json"},
                 {"X-GitHub-Event", "pull_request"},
                 {"X-GitHub-Delivery", "d-1"},
                 {"X-GitHub-Hook-ID", "42"}};
    if (!secret.empty()) r.headers.emplace_back("X-Hub-Signature-256", verify::signGithubSha256(secret, r.body));
    return r;
  }
  core::Result<store::NewDelivery> admit(const ForgeScheme& scheme, http::Request request) {
    http::LogContext log;
    return endpoint(scheme).admit(request, log);
  }
  static void expectError(const core::Result<store::NewDelivery>& r, core::Code code, const std::string& reason) {
    ASSERT_FALSE(r.has_value()) << "expected " << reason;
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(r.error().reason, reason);
  }

  core::Config::GitHub githubConfig;
  core::Config::GitLab gitlabConfig;
  core::ForgeSecrets giteaConfig;
  double rate = 0;
  std::int64_t failureBurst = 0;  // failure throttling off unless a test turns it on
  std::unique_ptr<core::Logger> logger;
  FakeClock clock;
  core::Metrics metrics;
  FakeDeliveryLog store;
  store::IntakeQueue intake{store, {64, 16, {}}, metrics};
  std::unique_ptr<SecretResolver> resolver;
  std::unique_ptr<ForgeScheme> github, gitlab, gitea;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<FailureThrottle> throttle;
  const std::string payload = testing::examplePayload("pull_request");
};

TEST_F(EndpointTest, SignedGitHubJsonIsAdmittedWithItsFacts) {
  build();
  auto d = admit(*github, githubRequest(payload, "current"));
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->forge, "github");
  EXPECT_EQ(d->event, "pull_request");
  EXPECT_EQ(d->deliveryId, "d-1");
  EXPECT_EQ(d->hookId, "42");
  EXPECT_EQ(d->action, "opened");
  EXPECT_EQ(d->repository, "Codertocat/Hello-World");
  EXPECT_EQ(d->sender, "Codertocat");
  EXPECT_EQ(d->verification, "sha256");
  EXPECT_EQ(d->bodySize, static_cast<std::int64_t>(payload.size()));
  EXPECT_EQ(d->receivedAt, clock.nowMicros());
}

TEST_F(EndpointTest, RotatedPreviousSecretIsStillAccepted) {
  build();
  EXPECT_TRUE(admit(*github, githubRequest(payload, "previous")).has_value());
}

TEST_F(EndpointTest, GitHubFormIsVerifiedOverTheRawFormBody) {
  build();
  auto d = admit(*github, githubRequest(payload, "current", /*form=*/true));
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->contentType, "application/x-www-form-urlencoded");
  EXPECT_EQ(d->repository, "Codertocat/Hello-World");

  // The same form signed over the decoded JSON (Gitea's way) is not GitHub's signature.
  auto r = githubRequest(payload, "", true);
  r.headers.emplace_back("X-Hub-Signature-256", verify::signGithubSha256("current", payload));
  expectError(admit(*github, r), core::Code::Unauthenticated, "invalid_signature");
}

TEST_F(EndpointTest, StoredHeadersRedactTheSignature) {
  build();
  auto d = admit(*github, githubRequest(payload, "current"));
  ASSERT_TRUE(d.has_value());
  EXPECT_NE(d->headersJson.find("\"X-Hub-Signature-256\":\"[redacted]\""), std::string::npos);
  EXPECT_EQ(d->headersJson.find("sha256="), std::string::npos);
}

TEST_F(EndpointTest, WrongOrMissingSignatureIsRefused) {
  build();
  expectError(admit(*github, githubRequest(payload, "wrong")), core::Code::Unauthenticated, "invalid_signature");
  expectError(admit(*github, githubRequest(payload, "")), core::Code::Unauthenticated, "missing_signature");
}

TEST_F(EndpointTest, Sha1IsRefusedUnlessLegacyIsConfigured) {
  auto r = githubRequest(payload, "");
  r.headers.emplace_back("X-Hub-Signature", verify::signGithubSha1("current", payload));
  build();
  expectError(admit(*github, r), core::Code::Unauthenticated, "missing_signature");
  githubConfig.legacySha1 = true;
  build();
  auto d = admit(*github, r);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->verification, "sha1");
}

TEST_F(EndpointTest, NoSecretAnywhereIsRefusedUnlessUnsignedIsAllowed) {
  build({});
  expectError(admit(*github, githubRequest(payload, "")), core::Code::Unauthenticated, "no_secret_configured");
  githubConfig.allowUnsigned = true;
  build({});
  auto d = admit(*github, githubRequest(payload, ""));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->verification, "unsigned");
}

TEST_F(EndpointTest, NoSecretConfiguredNamesTheVariableThatConfiguresIt) {
  build({});
  const auto refused = admit(*github, githubRequest(payload, ""));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "no github secret is configured; set FORGEHOOK_GITHUB_SECRET");
}

// The variable each scheme tells operators to set is the one the configuration reads its secrets from.
TEST_F(EndpointTest, EachSchemeNamesTheVariableConfigurationReadsItsSecretsFrom) {
  build();
  auto secretsFrom = [](const ForgeScheme& scheme) {
    core::ConfigSources sources;
    sources.environment = {{std::string(scheme.secretEnvVar()), "from-env"}};
    return core::loadConfig(sources);
  };
  EXPECT_EQ(secretsFrom(*github).github.secrets, std::vector<std::string>{"from-env"});
  EXPECT_EQ(secretsFrom(*gitlab).gitlab.secrets, std::vector<std::string>{"from-env"});
  EXPECT_EQ(secretsFrom(*gitea).gitea.secrets, std::vector<std::string>{"from-env"});
}

TEST_F(EndpointTest, OnlyGitHubsPingEventIsAPing) {
  build();
  EXPECT_TRUE(github->isPing("ping"));
  EXPECT_FALSE(github->isPing("push"));
  EXPECT_FALSE(gitlab->isPing("ping"));
  EXPECT_FALSE(gitea->isPing("ping"));

  auto request = githubRequest(testing::examplePayload("ping"), "current");
  for (auto& [name, value] : request.headers)
    if (name == "X-GitHub-Event") value = "ping";
  auto ping = admit(*github, request);
  ASSERT_TRUE(ping.has_value()) << ping.error().message;
  EXPECT_TRUE(ping->isPing);
  auto pullRequest = admit(*github, githubRequest(payload, "current"));
  ASSERT_TRUE(pullRequest.has_value());
  EXPECT_FALSE(pullRequest->isPing);
}

TEST_F(EndpointTest, HookSecretTakesPrecedenceOverRepositoryAndConfigured) {
  build();
  resolver->replaceStored(
      {{"github", "hook", "42", {"hook-secret"}}, {"github", "repository", "Codertocat/Hello-World", {"repo-secret"}}});
  EXPECT_TRUE(admit(*github, githubRequest(payload, "hook-secret")).has_value());
  expectError(admit(*github, githubRequest(payload, "repo-secret")), core::Code::Unauthenticated, "invalid_signature");
  expectError(admit(*github, githubRequest(payload, "current")), core::Code::Unauthenticated, "invalid_signature");
}

TEST_F(EndpointTest, RepositorySecretIsUsedWhenTheHookHasNone) {
  build();
  resolver->replaceStored({{"github", "repository", "Codertocat/Hello-World", {"repo-secret"}}});
  EXPECT_TRUE(admit(*github, githubRequest(payload, "repo-secret")).has_value());
  expectError(admit(*github, githubRequest(payload, "current")), core::Code::Unauthenticated, "invalid_signature");
  // Another repository still uses the configured secrets.
  auto other = nlohmann::json::parse(payload);
  other["repository"]["full_name"] = "someone/else";
  auto r = githubRequest(other.dump(), "current");
  EXPECT_TRUE(admit(*github, r).has_value());
}

TEST_F(EndpointTest, MissingIdentityHeadersAreBadRequests) {
  build();
  auto noEvent = githubRequest(payload, "current");
  std::erase_if(noEvent.headers, [](const auto& h) { return h.first == "X-GitHub-Event"; });
  expectError(admit(*github, noEvent), core::Code::InvalidArgument, "missing_header");
  auto noDelivery = githubRequest(payload, "current");
  std::erase_if(noDelivery.headers, [](const auto& h) { return h.first == "X-GitHub-Delivery"; });
  expectError(admit(*github, noDelivery), core::Code::InvalidArgument, "missing_header");
}

TEST_F(EndpointTest, IdentityHeadersThatAreNotTextAreBadRequests) {
  build();
  for (const auto& [header, value] : std::vector<std::pair<std::string, std::string>>{
           {"X-GitHub-Delivery", "guid-\xff\xfe"}, {"X-GitHub-Delivery", "guid\x01"}, {"X-GitHub-Event", "push\x7f"},
           {"X-GitHub-Hook-ID", "12\x80"}}) {
    auto r = githubRequest(payload, "current");
    bool found = false;
    for (auto& h : r.headers)
      if (h.first == header) h.second = value, found = true;
    ASSERT_TRUE(found) << header;
    SCOPED_TRACE(header);
    expectError(admit(*github, r), core::Code::InvalidArgument, "invalid_header");
  }
}

TEST_F(EndpointTest, UnsupportedMediaTypeIsRefused) {
  build();
  auto r = githubRequest(payload, "current");
  r.headers[0].second = "text/plain";
  expectError(admit(*github, r), core::Code::UnsupportedMediaType, "unsupported_media_type");
  r.headers[0].second = "application/json; charset=utf-8";
  EXPECT_TRUE(admit(*github, r).has_value());
}

TEST_F(EndpointTest, SignedButMalformedJsonIsABadRequest) {
  build();
  expectError(admit(*github, githubRequest("{\"action\": ", "current")), core::Code::InvalidArgument, "malformed_json");
  expectError(admit(*github, githubRequest("[1,2]", "current")), core::Code::InvalidArgument, "malformed_json");
  auto noPayload = githubRequest(payload, "");
  noPayload.body = "other=1";
  noPayload.headers[0].second = "application/x-www-form-urlencoded";
  noPayload.headers.emplace_back("X-Hub-Signature-256", verify::signGithubSha256("current", noPayload.body));
  expectError(admit(*github, noPayload), core::Code::InvalidArgument, "malformed_form");
}

TEST_F(EndpointTest, GiteaFormIsVerifiedOverTheJson) {
  build();
  http::Request r;
  r.remoteAddress = "192.0.2.1";
  r.body = formOf(payload);
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"X-Gitea-Event", "pull_request"},
               {"X-Gitea-Delivery", "g-1"},
               {"X-Gitea-Signature", verify::signGitea("gt-secret", payload)}};
  auto d = admit(*gitea, r);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->verification, "gitea-sha256");
  EXPECT_EQ(d->repository, "Codertocat/Hello-World");

  r.headers[3].second = verify::signGitea("gt-secret", r.body);  // over the form: not how Gitea signs
  expectError(admit(*gitea, r), core::Code::Unauthenticated, "invalid_signature");
  r.headers[3].second = "";  // Gitea sends an empty header when the hook has no secret
  expectError(admit(*gitea, r), core::Code::Unauthenticated, "missing_signature");
}

TEST_F(EndpointTest, ForgejoHeadersAreAccepted) {
  build();
  http::Request r;
  r.body = payload;
  r.headers = {{"Content-Type", "application/json"},
               {"X-Forgejo-Event", "pull_request"},
               {"X-Forgejo-Delivery", "f-1"},
               {"X-Forgejo-Signature", verify::signGitea("gt-secret", payload)}};
  auto d = admit(*gitea, r);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->deliveryId, "f-1");
}

http::Request gitlabRequest(const std::string& body, const std::string& token) {
  http::Request r;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"},
               {"X-Gitlab-Event", "Merge Request Hook"},
               {"X-Gitlab-Event-UUID", "event-uuid"},
               {"Idempotency-Key", "idem-key"},
               {"X-Gitlab-Webhook-UUID", "hook-uuid"}};
  if (!token.empty()) r.headers.emplace_back("X-Gitlab-Token", token);
  return r;
}

const std::string kGitlabBody =
    R"({"object_kind":"merge_request","user":{"username":"root"},"project":{"path_with_namespace":"group/app"},)"
    R"("object_attributes":{"iid":1,"action":"open","state":"opened"}})";

TEST_F(EndpointTest, GitLabTokenAndIdempotencyKey) {
  build();
  auto d = admit(*gitlab, gitlabRequest(kGitlabBody, "gl-token"));
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->deliveryId, "idem-key");
  EXPECT_EQ(d->hookId, "hook-uuid");
  EXPECT_EQ(d->action, "open");
  EXPECT_EQ(d->repository, "group/app");
  EXPECT_EQ(d->sender, "root");
  EXPECT_EQ(d->verification, "token");
  expectError(admit(*gitlab, gitlabRequest(kGitlabBody, "nope")), core::Code::Unauthenticated, "invalid_signature");

  auto noKey = gitlabRequest(kGitlabBody, "gl-token");
  std::erase_if(noKey.headers, [](const auto& h) { return h.first == "Idempotency-Key"; });
  auto fallback = admit(*gitlab, noKey);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_EQ(fallback->deliveryId, "event-uuid");
}

TEST_F(EndpointTest, GitLabStandardWebhooksSignatureIsRequiredWhenConfigured) {
  const std::string key = "whsec_" + verify::base64Encode("a signing key of some length");
  gitlabConfig.signingKeys = {key};
  gitlabConfig.timestampToleranceS = 300;
  build();
  expectError(admit(*gitlab, gitlabRequest(kGitlabBody, "gl-token")), core::Code::Unauthenticated, "missing_signature");

  auto signedAt = [&](std::int64_t ts) {
    auto r = gitlabRequest(kGitlabBody, "gl-token");
    const std::string stamp = std::to_string(ts);
    r.headers.emplace_back("webhook-id", "msg_1");
    r.headers.emplace_back("webhook-timestamp", stamp);
    r.headers.emplace_back("webhook-signature", verify::signStandardWebhook(key, "msg_1", stamp, kGitlabBody));
    return r;
  };
  auto ok = admit(*gitlab, signedAt(clock.nowSeconds()));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->verification, "standard-webhooks");
  expectError(admit(*gitlab, signedAt(clock.nowSeconds() - 301)), core::Code::Unauthenticated, "stale_timestamp");
}

TEST_F(EndpointTest, RateLimitPerSourceRecoversWithTime) {
  rate = 2;
  build();
  auto r = githubRequest(payload, "current");
  EXPECT_TRUE(admit(*github, r).has_value());
  EXPECT_TRUE(admit(*github, r).has_value());
  auto limited = admit(*github, r);
  expectError(limited, core::Code::RateLimited, "rate_limited");
  EXPECT_GE(limited.error().retryAfterSeconds, 1);
  auto other = githubRequest(payload, "current");
  other.remoteAddress = "192.0.2.2";
  EXPECT_TRUE(admit(*github, other).has_value());  // another source has its own bucket
  clock.advanceSeconds(1);
  EXPECT_TRUE(admit(*github, r).has_value());
}

TEST_F(EndpointTest, RepeatedSignatureFailuresAreThrottledButValidDeliveriesAreNot) {
  failureBurst = 3;
  build();
  const auto bad = githubRequest(payload, "wrong");
  for (int i = 0; i < 3; ++i) expectError(admit(*github, bad), core::Code::Unauthenticated, "invalid_signature");
  auto throttled = admit(*github, bad);
  expectError(throttled, core::Code::RateLimited, "rate_limited");
  EXPECT_EQ(throttled.error().retryAfterSeconds, 10);  // one failure back at 6 per minute
  expectError(admit(*github, githubRequest(payload, "")), core::Code::RateLimited, "rate_limited");
  // The same address with a valid signature, e.g. GitHub behind a shared egress address.
  EXPECT_TRUE(admit(*github, githubRequest(payload, "current")).has_value());
  auto other = bad;
  other.remoteAddress = "192.0.2.2";
  expectError(admit(*github, other), core::Code::Unauthenticated, "invalid_signature");
  EXPECT_EQ(metrics.verificationThrottled.with({"github"}).value(), 2u);
  EXPECT_EQ(metrics.verificationFailures.with({"github", "invalid_signature"}).value(), 5u);
  clock.advanceSeconds(10);
  expectError(admit(*github, bad), core::Code::Unauthenticated, "invalid_signature");
}

TEST_F(EndpointTest, NoSecretConfiguredIsNeverThrottled) {
  failureBurst = 1;
  build({});
  for (int i = 0; i < 3; ++i)
    expectError(admit(*github, githubRequest(payload, "wrong")), core::Code::Unauthenticated, "no_secret_configured");
}

TEST_F(EndpointTest, AThrottledFloodIsLoggedOncePerAddressPerMinute) {
  testing::TempDir dir;
  const auto path = dir.path() / "log";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_APPEND, 0600);
  ASSERT_GE(fd, 0);
  logger = std::make_unique<core::Logger>(core::LogLevel::Info, fd);
  failureBurst = 1;
  build();
  auto bad = githubRequest(payload, "wrong");
  for (int i = 0; i < 100; ++i) (void)admit(*github, bad);
  bad.remoteAddress = "192.0.2.9";
  for (int i = 0; i < 100; ++i) (void)admit(*github, bad);
  clock.advanceSeconds(61);
  for (int i = 0; i < 100; ++i) (void)admit(*github, bad);
  ::close(fd);
  std::ifstream in(path);
  const auto lines = std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
  EXPECT_EQ(lines, 3);  // first address once, second address once in each of two minutes
  EXPECT_EQ(metrics.verificationThrottled.with({"github"}).value(), 297u);
}

TEST_F(EndpointTest, HandleAnswersOnlyAfterTheCommitAndReportsDuplicates) {
  build();
  auto ep = endpoint(*github);
  auto send = [&] {
    std::promise<http::Response> answered;
    ep.handle(githubRequest(payload, "current"), [&](http::Response r) { answered.set_value(std::move(r)); });
    auto f = answered.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  };
  auto first = send();
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("\"status\":\"accepted\""), std::string::npos);
  EXPECT_EQ(store.rows.size(), 1u);  // the 200 came after the row was in the store
  auto second = send();
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.body.find("\"status\":\"duplicate\""), std::string::npos);
  EXPECT_EQ(store.rows.size(), 1u);
}

TEST_F(EndpointTest, HandleAnswers503WhenTheStoreFails) {
  build();
  store.failing = true;
  std::promise<http::Response> answered;
  endpoint(*github).handle(githubRequest(payload, "current"),
                           [&](http::Response r) { answered.set_value(std::move(r)); });
  auto f = answered.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const auto response = f.get();
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("store_unavailable"), std::string::npos);
  bool retryAfter = false;
  for (const auto& [k, v] : response.headers) retryAfter |= k == "Retry-After";
  EXPECT_TRUE(retryAfter);
}

}  // namespace
}  // namespace forgehook::ingest
