// The webhook request path up to the commit (ingest::WebhookEndpoint::admit): media type, identity
// headers, secret lookup, signature headers, form decoding, JSON validation and facts, header
// sanitizing, body encoding. Input, as text:
//   line 1   options: the forge ("github", "gitlab" or "gitea"; github if none), "sign" (the target
//            adds a valid credential for the body, so inputs get past verification), "repo-secrets"
//            (secrets stored per hook and repository, so the body is read before verification),
//            "unsigned" (the forge accepts unsigned deliveries), "signing-key" (GitLab also requires
//            a Standard Webhooks signature), "sha1" (GitHub's legacy header is accepted)
//   then     header lines "Name: value", up to an empty line
//   the rest the body
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/form.h"
#include "fuzz/fuzz_check.h"
#include "ingest/forge_scheme.h"
#include "ingest/rate_limiter.h"
#include "ingest/sanitized_headers.h"
#include "ingest/secret_resolver.h"
#include "ingest/webhook_endpoint.h"
#include "store/body_codec.h"
#include "store/intake_queue.h"
#include "support/fake_clock.h"
#include "support/fake_store.h"
#include "verify/gitea.h"
#include "verify/github.h"
#include "verify/standard_webhooks.h"

namespace {

using namespace forgehook;
using fuzz::check;

constexpr std::string_view kSecret = "fuzz-secret";
// "whsec_" + base64 of 32 bytes.
constexpr std::string_view kSigningKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7yYgE0iMmV4=";

struct Options {
  std::string forge = "github";
  bool sign = false, repoSecrets = false, allowUnsigned = false, signingKey = false, sha1 = false;
};

Options optionsOf(std::string_view line) {
  Options o;
  while (!line.empty()) {
    const auto space = line.find(' ');
    const auto word = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    if (word == "github" || word == "gitlab" || word == "gitea") o.forge = word;
    o.sign |= word == "sign";
    o.repoSecrets |= word == "repo-secrets";
    o.allowUnsigned |= word == "unsigned";
    o.signingKey |= word == "signing-key";
    o.sha1 |= word == "sha1";
  }
  return o;
}

// The next line of `text` (without its '\n'), consumed.
std::string_view nextLine(std::string_view& text) {
  const auto nl = text.find('\n');
  const auto line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return line;
}

std::unique_ptr<ingest::ForgeScheme> schemeFor(const Options& o) {
  const std::vector<std::string> secrets{std::string(kSecret)};
  if (o.forge == "gitlab") {
    core::Config::GitLab config;
    config.secrets = secrets;
    config.allowUnsigned = o.allowUnsigned;
    if (o.signingKey) config.signingKeys = {std::string(kSigningKey)};
    return ingest::makeGitLabScheme(config);
  }
  if (o.forge == "gitea") {
    core::ForgeSecrets config;
    config.secrets = secrets;
    config.allowUnsigned = o.allowUnsigned;
    return ingest::makeGiteaScheme(config);
  }
  core::Config::GitHub config;
  config.secrets = secrets;
  config.allowUnsigned = o.allowUnsigned;
  config.legacySha1 = o.sha1;
  return ingest::makeGitHubScheme(config);
}

// The resolvers: configured secrets only, or also secrets stored per hook and repository (the same
// secret, so "sign" gets through whichever scope decides).
const ingest::SecretResolver& resolverFor(bool repoSecrets) {
  static const auto make = [](bool stored) {
    const std::vector<std::string> secrets{std::string(kSecret)};
    auto r = std::make_unique<ingest::SecretResolver>(
        std::map<std::string, std::vector<std::string>>{{"github", secrets}, {"gitlab", secrets}, {"gitea", secrets}});
    if (stored) {
      std::vector<store::ScopedSecrets> scoped;
      for (const std::string forge : {"github", "gitlab", "gitea"}) {
        scoped.push_back({forge, "hook", "42", secrets});
        for (const std::string repo : {"Codertocat/Hello-World", "gitlabhq/gitlab-test", "gitea-org/repo"})
          scoped.push_back({forge, "repository", repo, secrets});
      }
      r->replaceStored(scoped);
    }
    return r;
  };
  static const auto plain = make(false), stored = make(true);
  return repoSecrets ? *stored : *plain;
}

// What the forge signs: the JSON of a form body for Gitea, else the raw body.
std::string signedBytesOf(const Options& o, const http::Request& request) {
  const bool form = request.header("Content-Type").starts_with("application/x-www-form-urlencoded");
  if (o.forge == "gitea" && form)
    if (auto json = core::decodeFormPayload(request.body)) return *json;
  return request.body;
}

// Valid credential headers for the body, put first so they are the ones the endpoint reads.
void sign(const Options& o, http::Request& request, std::int64_t nowSeconds) {
  using Headers = decltype(request.headers);
  Headers added;
  const std::string body = signedBytesOf(o, request);
  if (o.forge == "github") {
    added.emplace_back("X-Hub-Signature-256", verify::signGithubSha256(kSecret, body));
  } else if (o.forge == "gitea") {
    added.emplace_back("X-Gitea-Signature", verify::signGitea(kSecret, body));
  } else {
    added.emplace_back("X-Gitlab-Token", std::string(kSecret));
    if (o.signingKey) {
      const std::string id = "msg_fuzz", timestamp = std::to_string(nowSeconds);
      added.emplace_back("webhook-id", id);
      added.emplace_back("webhook-timestamp", timestamp);
      added.emplace_back("webhook-signature", verify::signStandardWebhook(kSigningKey, id, timestamp, body));
    }
  }
  request.headers.insert(request.headers.begin(), added.begin(), added.end());
}

void checkAdmitted(const store::NewDelivery& d, const ingest::ForgeScheme& scheme, const http::Request& request) {
  check(d.forge == scheme.forge(), "an admitted delivery is of the endpoint's forge");
  check(d.bodySize == static_cast<std::int64_t>(request.body.size()), "bodySize is the body's size");
  check(d.contentType == "application/json" || d.contentType == "application/x-www-form-urlencoded",
        "the content type is one of the two accepted");
  const auto body = store::decodeBody(d.body, d.bodyEncoding);
  check(body && *body == request.body, "the stored body decodes to the body received");
  const auto headers = nlohmann::json::parse(d.headersJson, nullptr, false);
  check(headers.is_object(), "the stored headers are a JSON object");
  for (const auto& [name, value] : headers.items())
    if (ingest::isCredentialHeader(name)) check(value == "[redacted]", "credential headers are stored redacted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::FakeClock clock;
  static core::Metrics metrics;
  static testing::FakeDeliveryLog log;
  static store::IntakeQueue intake{log, {}, metrics};
  static ingest::RateLimiter limiter(0, 0, clock);  // off: each input is judged alone

  std::string_view text(reinterpret_cast<const char*>(data), size);
  const Options options = optionsOf(nextLine(text));
  http::Request request;
  request.method = "POST";
  request.path = "/webhooks/" + options.forge;
  request.remoteAddress = "192.0.2.1";
  for (auto line = nextLine(text); !line.empty(); line = nextLine(text)) {
    const auto colon = line.find(':');
    auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  request.body = std::string(text);
  if (options.sign) sign(options, request, clock.nowSeconds());

  const auto scheme = schemeFor(options);
  const ingest::WebhookEndpoint endpoint(
      {*scheme, resolverFor(options.repoSecrets), intake, limiter, clock, metrics, 1, nullptr, nullptr});
  http::LogContext context;
  const auto admitted = endpoint.admit(request, context);
  if (admitted) {
    checkAdmitted(*admitted, *scheme, request);
  } else {
    const int status = http::errorResponse(admitted.error()).status;
    check(status >= 400 && status < 500, "a refused delivery is the sender's error (4xx)");
  }
  return 0;
}
