#include "ingest/forge_scheme.h"
#include "verify/gitea.h"

namespace forgehook::ingest {
namespace {

// Forgejo sends X-Forgejo-* beside (or instead of) Gitea's X-Gitea-* headers.
std::string_view either(const http::Request& request, std::string_view gitea, std::string_view forgejo) {
  const auto value = request.header(gitea);
  return value.empty() ? request.header(forgejo) : value;
}

class GiteaScheme final : public ForgeScheme {
 public:
  explicit GiteaScheme(const core::ForgeSecrets& config) : allowUnsigned_(config.allowUnsigned) {}

  std::string_view forge() const override { return core::forgeName(core::Forge::Gitea); }
  std::string_view secretEnvVar() const override { return "FORGEHOOK_GITEA_SECRET"; }
  bool isPing(std::string_view) const override { return false; }
  PayloadShape shape() const override { return PayloadShape::GitHubLike; }

  core::Result<DeliveryIdentity> identify(const http::Request& request) const override {
    DeliveryIdentity id{std::string(either(request, "X-Gitea-Event", "X-Forgejo-Event")),
                        std::string(either(request, "X-Gitea-Delivery", "X-Forgejo-Delivery")),
                        std::string(either(request, "X-Gitea-Hook-ID", "X-Forgejo-Hook-ID")), ""};
    if (id.event.empty())
      return std::unexpected(
          core::Error::invalidArgument("missing_header", "X-Gitea-Event (or X-Forgejo-Event) header is required"));
    if (id.deliveryId.empty())
      return std::unexpected(core::Error::invalidArgument(
          "missing_header", "X-Gitea-Delivery (or X-Forgejo-Delivery) header is required"));
    return id;
  }

  // Gitea sends the signature header even without a secret, empty: the value decides.
  bool hasCredential(const http::Request& request) const override {
    return !either(request, "X-Gitea-Signature", "X-Forgejo-Signature").empty();
  }
  bool signsDecodedJson() const override { return true; }

  verify::Outcome verify(const http::Request& request, std::string_view signedBytes,
                         std::span<const std::string> secrets, std::int64_t) const override {
    return verify::verifyGitea(either(request, "X-Gitea-Signature", "X-Forgejo-Signature"), signedBytes, secrets);
  }

  std::string missingMessage() const override {
    return "X-Gitea-Signature (or X-Forgejo-Signature) header is required";
  }
  bool allowUnsigned() const override { return allowUnsigned_; }

 private:
  bool allowUnsigned_;
};

}  // namespace

std::unique_ptr<ForgeScheme> makeGiteaScheme(const core::ForgeSecrets& config) {
  return std::make_unique<GiteaScheme>(config);
}

}  // namespace forgehook::ingest
