#include "ingest/forge_scheme.h"
#include "verify/github.h"

namespace forgehook::ingest {
namespace {

class GitHubScheme final : public ForgeScheme {
 public:
  explicit GitHubScheme(const core::Config::GitHub& config)
      : legacySha1_(config.legacySha1), allowUnsigned_(config.allowUnsigned) {}

  std::string_view forge() const override { return core::forgeName(core::Forge::GitHub); }
  std::string_view secretEnvVar() const override { return "FORGEHOOK_GITHUB_SECRET"; }
  bool isPing(std::string_view event) const override { return event == "ping"; }
  PayloadShape shape() const override { return PayloadShape::GitHubLike; }

  core::Result<DeliveryIdentity> identify(const http::Request& request) const override {
    DeliveryIdentity id{std::string(request.header("X-GitHub-Event")), std::string(request.header("X-GitHub-Delivery")),
                        std::string(request.header("X-GitHub-Hook-ID")), ""};
    // An App's webhook names the App as the hook's installation target.
    if (request.header("X-GitHub-Hook-Installation-Target-Type") == "integration")
      id.appId = std::string(request.header("X-GitHub-Hook-Installation-Target-ID"));
    if (id.event.empty())
      return std::unexpected(core::Error::invalidArgument("missing_header", "X-GitHub-Event header is required"));
    if (id.deliveryId.empty())
      return std::unexpected(core::Error::invalidArgument("missing_header", "X-GitHub-Delivery header is required"));
    return id;
  }

  bool hasCredential(const http::Request& request) const override {
    return !request.header("X-Hub-Signature-256").empty() || !request.header("X-Hub-Signature").empty();
  }

  verify::Outcome verify(const http::Request& request, std::string_view signedBytes,
                         std::span<const std::string> secrets, std::int64_t) const override {
    return verify::verifyGithub(request.header("X-Hub-Signature-256"), request.header("X-Hub-Signature"), signedBytes,
                                secrets, legacySha1_);
  }

  std::string missingMessage() const override {
    return legacySha1_ ? "X-Hub-Signature-256 or X-Hub-Signature header is required"
                       : "X-Hub-Signature-256 header is required (sha1 signatures need github.legacy_sha1)";
  }
  bool allowUnsigned() const override { return allowUnsigned_; }

 private:
  bool legacySha1_;
  bool allowUnsigned_;
};

}  // namespace

std::unique_ptr<ForgeScheme> makeGitHubScheme(const core::Config::GitHub& config) {
  return std::make_unique<GitHubScheme>(config);
}

}  // namespace forgehook::ingest
