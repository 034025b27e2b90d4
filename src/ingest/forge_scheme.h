#pragma once
// What differs between forges at the door: which headers name the event and the delivery, which
// header carries the credential, and what it signs. The webhook endpoint runs the same steps for
// every forge through this interface. Implementations are immutable and thread-safe.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"
#include "core/forge.h"
#include "http/request.h"
#include "ingest/payload.h"
#include "verify/outcome.h"

namespace forgehook::ingest {

struct DeliveryIdentity {
  std::string event;
  std::string deliveryId;
  std::string hookId;
  std::string appId;  // a GitHub App's own webhook: the App's id, whose stored secret signs it
};

class ForgeScheme {
 public:
  virtual ~ForgeScheme() = default;
  // The wire name, core::forgeName of the forge.
  [[nodiscard]] virtual std::string_view forge() const = 0;
  // The FORGEHOOK_* environment variable that configures the accepted secrets, for messages that
  // tell an operator what to set.
  [[nodiscard]] virtual std::string_view secretEnvVar() const = 0;
  // Whether a delivery of `event` is the forge's ping (sent when a hook is created), which also
  // records the hook. Only GitHub sends one; GitLab and Gitea test deliveries are ordinary events.
  [[nodiscard]] virtual bool isPing(std::string_view event) const = 0;
  [[nodiscard]] virtual PayloadShape shape() const = 0;
  // Errors: InvalidArgument "missing_header" naming the header.
  [[nodiscard]] virtual core::Result<DeliveryIdentity> identify(const http::Request& request) const = 0;
  // Whether the request carries any credential (a non-empty signature or token header).
  [[nodiscard]] virtual bool hasCredential(const http::Request& request) const = 0;
  // True when the signature covers the decoded JSON rather than the raw body (Gitea's form hooks).
  [[nodiscard]] virtual bool signsDecodedJson() const { return false; }
  // Checks the credential. `signed` is the raw body, or the decoded JSON when signsDecodedJson().
  [[nodiscard]] virtual verify::Outcome verify(const http::Request& request, std::string_view signedBytes,
                                               std::span<const std::string> secrets, std::int64_t nowSeconds) const = 0;
  // Message for a Missing failure (which header, what to configure).
  [[nodiscard]] virtual std::string missingMessage() const = 0;
  // Whether unsigned deliveries are accepted for this source.
  [[nodiscard]] virtual bool allowUnsigned() const = 0;
};

[[nodiscard]] std::unique_ptr<ForgeScheme> makeGitHubScheme(const core::Config::GitHub& config);
[[nodiscard]] std::unique_ptr<ForgeScheme> makeGitLabScheme(const core::Config::GitLab& config);
[[nodiscard]] std::unique_ptr<ForgeScheme> makeGiteaScheme(const core::ForgeSecrets& config);

}  // namespace forgehook::ingest
