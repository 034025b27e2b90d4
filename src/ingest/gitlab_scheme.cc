#include "ingest/forge_scheme.h"
#include "verify/gitlab.h"
#include "verify/standard_webhooks.h"

namespace forgehook::ingest {
namespace {

class GitLabScheme final : public ForgeScheme {
 public:
  explicit GitLabScheme(const core::Config::GitLab& config)
      : signingKeys_(config.signingKeys),
        tolerance_(config.timestampToleranceS),
        allowUnsigned_(config.allowUnsigned) {}

  std::string_view forge() const override { return core::forgeName(core::Forge::GitLab); }
  std::string_view secretEnvVar() const override { return "FORGEHOOK_GITLAB_TOKEN"; }
  bool isPing(std::string_view) const override { return false; }
  PayloadShape shape() const override { return PayloadShape::GitLab; }

  core::Result<DeliveryIdentity> identify(const http::Request& request) const override {
    DeliveryIdentity id;
    id.event = request.header("X-Gitlab-Event");
    // Idempotency-Key is stable across GitLab's retries and manual resends; the event UUID predates it.
    id.deliveryId = request.header("Idempotency-Key");
    if (id.deliveryId.empty()) id.deliveryId = request.header("X-Gitlab-Event-UUID");
    id.hookId = request.header("X-Gitlab-Webhook-UUID");
    if (id.event.empty())
      return std::unexpected(core::Error::invalidArgument("missing_header", "X-Gitlab-Event header is required"));
    if (id.deliveryId.empty())
      return std::unexpected(
          core::Error::invalidArgument("missing_header", "Idempotency-Key or X-Gitlab-Event-UUID header is required"));
    return id;
  }

  bool hasCredential(const http::Request& request) const override {
    return !request.header("X-Gitlab-Token").empty() || !request.header("webhook-signature").empty();
  }

  verify::Outcome verify(const http::Request& request, std::string_view signedBytes,
                         std::span<const std::string> secrets, std::int64_t nowSeconds) const override {
    auto token = verify::verifyGitlabToken(request.header("X-Gitlab-Token"), secrets);
    if (!token || signingKeys_.empty()) return token;
    // With a signing key configured, the Standard Webhooks signature is required as well.
    return verify::verifyStandardWebhook(request.header("webhook-id"), request.header("webhook-timestamp"),
                                         request.header("webhook-signature"), signedBytes, signingKeys_, nowSeconds,
                                         tolerance_);
  }

  std::string missingMessage() const override {
    return signingKeys_.empty()
               ? "X-Gitlab-Token header is required"
               : "X-Gitlab-Token and webhook-id/webhook-timestamp/webhook-signature headers are required";
  }
  bool allowUnsigned() const override { return allowUnsigned_; }

 private:
  std::vector<std::string> signingKeys_;
  std::int64_t tolerance_;
  bool allowUnsigned_;
};

}  // namespace

std::unique_ptr<ForgeScheme> makeGitLabScheme(const core::Config::GitLab& config) {
  return std::make_unique<GitLabScheme>(config);
}

}  // namespace forgehook::ingest
