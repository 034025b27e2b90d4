#include "ingest/webhook_endpoint.h"

#include "core/form.h"
#include "core/json_text.h"
#include "ingest/payload.h"
#include "ingest/sanitized_headers.h"
#include "store/body_codec.h"

namespace forgehook::ingest {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kForm = "application/x-www-form-urlencoded";

std::string_view mediaType(std::string_view contentType) {
  auto semi = contentType.find(';');
  auto type = contentType.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

core::Error verificationError(verify::Failure failure, const ForgeScheme& scheme) {
  switch (failure) {
    case verify::Failure::Missing:
      return core::Error::unauthenticated("missing_signature", scheme.missingMessage());
    case verify::Failure::Stale:
      return core::Error::unauthenticated("stale_timestamp", "webhook-timestamp is outside the allowed tolerance");
    case verify::Failure::Malformed:
      return core::Error::unauthenticated("invalid_signature", "the signature header is malformed");
    case verify::Failure::Mismatch:
      break;
  }
  return core::Error::unauthenticated("invalid_signature", "the signature does not match any accepted secret");
}

}  // namespace

WebhookEndpoint::WebhookEndpoint(Dependencies deps)
    : deps_(deps),
      bodyBytes_(deps.metrics.bodyBytes.with({std::string(deps.scheme.forge())})),
      accepted_(deps.metrics.deliveries.with({std::string(deps.scheme.forge()), "accepted"})),
      duplicates_(deps.metrics.deliveries.with({std::string(deps.scheme.forge()), "duplicate"})),
      throttled_(deps.metrics.verificationThrottled.with({std::string(deps.scheme.forge())})) {}

core::Error WebhookEndpoint::throttledOr(core::Error failure, const std::string& source) const {
  // A missing secret is our configuration, not the sender guessing: it stays 401 to say so.
  if (deps_.failureThrottle == nullptr || failure.reason == "no_secret_configured") return failure;
  const auto verdict = deps_.failureThrottle->recordFailure(source);
  if (!verdict.throttled) return failure;
  throttled_.add();
  if (verdict.report && deps_.logger != nullptr)
    deps_.logger->warn("signature failures throttled", {{"forge", deps_.scheme.forge()},
                                                        {"source", source},
                                                        {"reason", failure.reason},
                                                        {"retry_after_s", verdict.retryAfterSeconds}});
  std::string message = "too many failed signature checks from ";
  message.append(source);
  return core::Error::rateLimited(std::move(message), verdict.retryAfterSeconds);
}

core::Result<std::string> WebhookEndpoint::verificationOf(const http::Request& request, const DeliveryIdentity& id,
                                                          std::string_view signedBytes,
                                                          const std::string& repository) const {
  const auto& scheme = deps_.scheme;
  const std::string forge(scheme.forge());
  SecretList secrets = deps_.secrets.forApp(forge, id.appId);
  if (!secrets) secrets = deps_.secrets.forHook(forge, id.hookId);
  if (!secrets) secrets = deps_.secrets.forRepository(forge, repository);
  if (!secrets) secrets = deps_.secrets.configured(forge);

  const bool credential = scheme.hasCredential(request);
  if (scheme.allowUnsigned() && (!credential || secrets->empty())) return std::string("unsigned");
  if (secrets->empty())
    return std::unexpected(core::Error::unauthenticated(
        "no_secret_configured", "no " + forge + " secret is configured; set " + std::string(scheme.secretEnvVar())));
  if (!credential) return std::unexpected(verificationError(verify::Failure::Missing, scheme));
  const auto outcome = scheme.verify(request, signedBytes, *secrets, deps_.clock.nowSeconds());
  if (!outcome) return std::unexpected(verificationError(outcome.error(), scheme));
  return std::string(outcome->scheme);
}

core::Result<store::NewDelivery> WebhookEndpoint::admit(http::Request& request, http::LogContext& log) const {
  const auto& scheme = deps_.scheme;
  const std::string forge(scheme.forge());
  log.forge = forge;

  int retryAfter = 1;
  if (!deps_.limiter.allow(request.remoteAddress, retryAfter))
    return std::unexpected(core::Error::rateLimited("too many requests from " + request.remoteAddress, retryAfter));

  const auto type = mediaType(request.header("Content-Type"));
  const bool isForm = http::equalsIgnoreCase(type, kForm);
  if (!isForm && !http::equalsIgnoreCase(type, kJson))
    return std::unexpected(core::Error::unsupportedMediaType(
        "Content-Type must be application/json or application/x-www-form-urlencoded"));

  auto id = scheme.identify(request);
  if (!id) return std::unexpected(id.error());
  // Identifiers are stored, compared for dedupe and shown as they are: bytes that are not text
  // (invalid UTF-8, control characters) are refused rather than altered, alike on every store.
  for (const auto* value : {&id->event, &id->deliveryId, &id->hookId, &id->appId})
    if (!core::isPlainText(*value))
      return std::unexpected(core::Error::invalidArgument(
          "invalid_header", "the event, delivery id and hook id headers must be UTF-8 text without control characters"));
  log.deliveryId = id->deliveryId;
  log.event = id->event;

  // Form bodies are decoded now only when something needs the JSON before verification (Gitea signs
  // the JSON; repository-scoped secrets need the repository). GitHub's signature covers the raw form.
  std::string formJson;
  bool decoded = false;
  auto json = [&]() -> core::Result<std::string_view> {
    if (!isForm) return std::string_view(request.body);
    if (!decoded) {
      auto payload = core::decodeFormPayload(request.body);
      if (!payload) return std::unexpected(payload.error());
      formJson = std::move(*payload);
      decoded = true;
    }
    return std::string_view(formJson);
  };

  // The payload's repository, read before verification only when a repository-scoped secret may
  // apply (none stored for the app or the hook, some for repositories).
  std::optional<PayloadFacts> facts;
  const auto readFactsIfNeeded = [&]() -> core::Result<void> {
    if (facts || deps_.secrets.forApp(forge, id->appId) != nullptr ||
        deps_.secrets.forHook(forge, id->hookId) != nullptr || !deps_.secrets.hasRepositorySecrets(forge))
      return {};
    auto doc = json();
    if (!doc) return std::unexpected(doc.error());
    auto inspected = inspectPayload(*doc, scheme.shape());
    if (inspected) facts = std::move(*inspected);  // an unreadable body fails verification below instead
    return {};
  };
  std::string_view signedBytes = request.body;
  if (scheme.signsDecodedJson()) {
    auto doc = json();
    if (!doc) return std::unexpected(doc.error());
    signedBytes = *doc;
  }
  const auto verify = [&]() -> core::Result<std::string> {
    if (auto read = readFactsIfNeeded(); !read) return std::unexpected(read.error());
    return verificationOf(request, *id, signedBytes, facts ? facts->repository : std::string());
  };
  const std::uint64_t seen = deps_.refreshSecrets ? deps_.refreshSecrets->generation() : 0;
  auto verification = verify();
  // A secret another node stored (a new connection's hook, a rotation) reaches this one here: the
  // secrets reloaded (or found reloaded since), the check runs again, with the repository read
  // if a repository secret is now stored.
  if (!verification &&
      (verification.error().reason == "invalid_signature" || verification.error().reason == "no_secret_configured") &&
      deps_.refreshSecrets && deps_.refreshSecrets->reloadedSince(seen))
    verification = verify();
  if (!verification) {
    deps_.metrics.verificationFailures.with({forge, verification.error().reason}).add();
    return std::unexpected(throttledOr(verification.error(), request.remoteAddress));
  }

  if (!facts) {
    auto doc = json();
    if (!doc) return std::unexpected(doc.error());
    auto inspected = inspectPayload(*doc, scheme.shape());
    if (!inspected) return std::unexpected(inspected.error());
    facts = std::move(*inspected);
  }
  log.repository = facts->repository;

  store::NewDelivery d;
  d.forge = forge;
  d.hookId = std::move(id->hookId);
  d.deliveryId = std::move(id->deliveryId);
  d.event = std::move(id->event);
  d.action = std::move(facts->action);
  d.repository = std::move(facts->repository);
  d.sender = std::move(facts->sender);
  d.contentType = std::string(isForm ? kForm : kJson);
  d.verification = std::move(*verification);
  d.headersJson = sanitizedHeadersJson(request.headers);
  d.receivedAt = deps_.clock.nowMicros();
  d.bodySize = static_cast<std::int64_t>(request.body.size());
  auto encoded = store::encodeBody(request.body, deps_.compressionLevel);
  d.body = std::move(encoded.bytes);
  d.bodyEncoding = std::move(encoded.encoding);
  d.isPing = scheme.isPing(d.event);
  return d;
}

void WebhookEndpoint::handle(http::Request&& request, const http::Reply& reply) const {
  http::LogContext log;
  bodyBytes_.add(request.body.size());
  auto delivery = admit(request, log);
  if (!delivery) {
    http::Response response = http::errorResponse(delivery.error());
    log.refusal = delivery.error().reason;
    response.log = std::move(log);
    return reply(std::move(response));
  }
  auto done = [reply, log, this](core::Result<store::AppendOutcome> outcome) mutable {
    http::Response response;
    if (!outcome) {
      response = http::errorResponse(outcome.error());
      log.refusal = outcome.error().reason;
    } else {
      const bool duplicate = outcome->status == store::AppendStatus::Duplicate;
      (duplicate ? duplicates_ : accepted_).add();
      std::string body = duplicate ? "{\"status\":\"duplicate\",\"id\":" : "{\"status\":\"accepted\",\"id\":";
      body += std::to_string(outcome->id);
      body += ",\"delivery\":";
      core::appendJsonString(body, log.deliveryId);
      body += '}';
      response = http::jsonResponse(200, std::move(body));
    }
    response.log = std::move(log);
    reply(std::move(response));
  };
  if (auto queued = deps_.intake.submit(std::move(*delivery), std::move(done)); !queued) {
    http::Response response = http::errorResponse(queued.error());
    log.refusal = queued.error().reason;
    response.log = std::move(log);
    reply(std::move(response));
  }
}

}  // namespace forgehook::ingest
