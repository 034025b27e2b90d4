#include "api/subscriptions_api.h"

#include <nlohmann/json.hpp>

#include "api/changes_api.h"
#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "api/query_params.h"
#include "core/random.h"
#include "outbound/address_policy.h"
#include "verify/hmac.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/api/v1/subscriptions/";
constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::size_t kMaxDescription = 1000;
constexpr std::string_view kActions[] = {"created", "updated", "deleted"};
constexpr std::string_view kStatuses[] = {"pending", "delivered", "failed"};

json timeOrNull(const std::optional<std::int64_t>& micros) {
  return micros ? json(core::formatRfc3339(*micros)) : json();
}
json textOrNull(const std::optional<std::string>& text) { return text ? json(*text) : json(); }

json subscriptionJson(const store::Subscription& s) {
  return {{"id", s.id},
          {"url", s.url},
          {"description", s.description},
          {"resources", s.resources},
          {"actions", s.actions},
          {"repository", textOrNull(s.repository)},
          {"forge", textOrNull(s.forge)},
          {"status", s.status},
          {"disabled_reason", textOrNull(s.disabledReason)},
          {"consecutive_failures", s.consecutiveFailures},
          {"created_at", core::formatRfc3339(s.createdAt)},
          {"updated_at", core::formatRfc3339(s.updatedAt)},
          {"last_success_at", timeOrNull(s.lastSuccessAt)},
          {"last_attempt_at", timeOrNull(s.lastAttemptAt)},
          {"pending", s.pending},
          {"failed", s.failed}};
}

json messageJson(const store::OutboxMessage& m) {
  return {{"id", m.id},
          {"seq", m.seq},
          {"status", m.status},
          {"attempts", m.attempts},
          {"enqueued_at", core::formatRfc3339(m.enqueuedAt)},
          {"first_attempt_at", timeOrNull(m.firstAttemptAt)},
          {"last_attempt_at", timeOrNull(m.lastAttemptAt)},
          {"next_attempt_at", timeOrNull(m.nextAttemptAt)},
          {"delivered_at", timeOrNull(m.deliveredAt)},
          {"last_error", textOrNull(m.lastError)}};
}

json attemptJson(const store::DeliveryAttempt& a) {
  return {{"id", a.id},
          {"message_id", a.messageId},
          {"seq", a.seq},
          {"attempt", a.attempt},
          {"at", core::formatRfc3339(a.at)},
          {"status_code", a.statusCode ? json(*a.statusCode) : json()},
          {"duration_ms", a.durationMs},
          {"response_excerpt", a.responseExcerpt},
          {"error", textOrNull(a.error)}};
}

// An array of names, each checked by `check`. Errors: invalidArgument.
core::Result<std::vector<std::string>> names(const json& value, const char* field,
                                             const std::function<core::Result<void>(std::string_view)>& check) {
  if (!value.is_array()) return std::unexpected(invalidArgument(std::string(field) + " must be an array of strings"));
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return std::unexpected(invalidArgument(std::string(field) + " must be an array of strings"));
    const auto name = item.get<std::string>();
    if (auto ok = check(name); !ok) return std::unexpected(ok.error());
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

core::Result<void> checkResource(std::string_view name) {
  if (name.empty() || name.find(',') != std::string_view::npos)
    return std::unexpected(invalidArgument("resources: \"" + std::string(name) + "\" is not a resource name"));
  auto parsed = readChangeResources(name);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

core::Result<void> checkAction(std::string_view name) { return checkOneOf("actions", name, kActions); }

// The fields a create and an update share, read into `patch`. Errors: invalidArgument.
core::Result<store::SubscriptionPatch> readPatch(const json& body, bool allowPrivate) {
  store::SubscriptionPatch p;
  auto url = optionalString(body, "url");
  if (!url) return std::unexpected(url.error());
  if (*url) {
    if (auto ok = outbound::checkCallbackUrl(**url, allowPrivate); !ok)
      return std::unexpected(invalidArgument(ok.error().message));
    p.url = **url;
  }
  auto description = optionalString(body, "description");
  if (!description) return std::unexpected(description.error());
  if (*description) {
    if ((*description)->size() > kMaxDescription)
      return std::unexpected(invalidArgument("description must be at most 1000 characters"));
    p.description = **description;
  }
  if (body.contains("resources") && !body["resources"].is_null()) {
    auto r = names(body["resources"], "resources", checkResource);
    if (!r) return std::unexpected(r.error());
    p.resources = std::move(*r);
  } else if (body.contains("resources")) {
    p.resources = std::vector<std::string>{};
  }
  if (body.contains("actions") && !body["actions"].is_null()) {
    auto a = names(body["actions"], "actions", checkAction);
    if (!a) return std::unexpected(a.error());
    p.actions = std::move(*a);
  } else if (body.contains("actions")) {
    p.actions = std::vector<std::string>{};
  }
  if (body.contains("repository")) {
    auto repository = optionalString(body, "repository");
    if (!repository) return std::unexpected(repository.error());
    if (*repository && (*repository)->empty()) *repository = std::nullopt;
    p.repository = *repository;
  }
  if (body.contains("forge")) {
    auto forge = optionalString(body, "forge");
    if (!forge) return std::unexpected(forge.error());
    if (*forge && !isKnownForge(**forge))
      return std::unexpected(invalidArgument("forge must be one of github, gitlab, gitea (got \"" + **forge + "\")"));
    p.forge = *forge;
  }
  return p;
}

http::Response notFound(const http::Request& request) {
  return http::errorResponse(core::Error::notFound("no such subscription resource: " + request.path));
}

// Errors: invalidArgument naming a query parameter this sub-resource does not take.
core::Result<void> onlyParams(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  for (const char* name : {"status", "limit"})
    if (request.queryParam(name) && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      return std::unexpected(invalidArgument("unknown parameter \"" + std::string(name) + "\" for " + request.path));
  return {};
}

}  // namespace

core::Result<void> checkSubscriptionSecret(std::string_view secret) {
  std::string raw;
  if (!secret.starts_with(kSecretPrefix) || !verify::base64Decode(secret.substr(kSecretPrefix.size()), raw) ||
      raw.size() < 24 || raw.size() > 64)
    return std::unexpected(invalidArgument("secret must be \"whsec_\" followed by the base64 of 24 to 64 bytes"));
  return {};
}

std::string newSubscriptionSecret() {
  const std::string hex = core::randomHex(32);
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return std::string(kSecretPrefix) + verify::base64Encode(raw);
}

http::Response SubscriptionsApi::create(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"url", "resources", "actions", "repository", "forge", "secret", "description"}); !ok)
    return http::errorResponse(ok.error());
  if (!body->contains("url")) return http::errorResponse(invalidArgument("url is required"));
  auto patch = readPatch(*body, allowPrivate_);
  if (!patch) return http::errorResponse(patch.error());
  auto given = optionalString(*body, "secret");
  if (!given) return http::errorResponse(given.error());
  if (*given)
    if (auto ok = checkSubscriptionSecret(**given); !ok) return http::errorResponse(ok.error());
  const std::string secret = *given ? **given : newSubscriptionSecret();
  store::SubscriptionSpec spec{*patch->url,
                               patch->description.value_or(""),
                               patch->resources.value_or(std::vector<std::string>{}),
                               patch->actions.value_or(std::vector<std::string>{}),
                               patch->repository.value_or(std::nullopt),
                               patch->forge.value_or(std::nullopt)};
  auto created = store_.create(spec, secret, clock_.nowMicros());
  if (!created) return http::errorResponse(created.error());
  if (changed_) changed_();
  auto out = subscriptionJson(*created);
  out["secret"] = secret;
  return jsonReply(out, 201);
}

http::Response SubscriptionsApi::list(const http::Request&) const {
  auto all = store_.list();
  if (!all) return http::errorResponse(all.error());
  json items = json::array();
  for (const auto& s : *all) items.push_back(subscriptionJson(s));
  return jsonReply({{"subscriptions", std::move(items)}});
}

http::Response SubscriptionsApi::read(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t) return notFound(request);
  if (t->rest.empty()) {
    if (auto ok = onlyParams(request, {}); !ok) return http::errorResponse(ok.error());
    auto s = store_.get(t->id);
    if (!s) return http::errorResponse(s.error());
    return jsonReply(subscriptionJson(*s));
  }
  int limit = 50;
  if (auto ok = readLimit(request, limit); !ok) return http::errorResponse(ok.error());
  if (t->rest == "/messages") {
    std::optional<std::string> status = request.queryParam("status");
    if (status)
      if (auto ok = checkOneOf("status", *status, kStatuses); !ok) return http::errorResponse(ok.error());
    auto messages = store_.messages(t->id, status, limit);
    if (!messages) return http::errorResponse(messages.error());
    json items = json::array();
    for (const auto& m : *messages) items.push_back(messageJson(m));
    return jsonReply({{"messages", std::move(items)}});
  }
  if (t->rest == "/attempts") {
    if (auto ok = onlyParams(request, {"limit"}); !ok) return http::errorResponse(ok.error());
    auto attempts = store_.attempts(t->id, limit);
    if (!attempts) return http::errorResponse(attempts.error());
    json items = json::array();
    for (const auto& a : *attempts) items.push_back(attemptJson(a));
    return jsonReply({{"attempts", std::move(items)}});
  }
  return notFound(request);
}

http::Response SubscriptionsApi::update(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t || !t->rest.empty()) return notFound(request);
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (body->contains("secret"))
    return http::errorResponse(
        invalidArgument("the secret is changed by POST /api/v1/subscriptions/{id}/rotate-secret"));
  if (auto ok = onlyFields(*body, {"url", "resources", "actions", "repository", "forge", "description"}); !ok)
    return http::errorResponse(ok.error());
  if (body->contains("url") && (*body)["url"].is_null())
    return http::errorResponse(invalidArgument("url cannot be removed"));
  auto patch = readPatch(*body, allowPrivate_);
  if (!patch) return http::errorResponse(patch.error());
  auto updated = store_.update(t->id, *patch, clock_.nowMicros());
  if (!updated) return http::errorResponse(updated.error());
  if (changed_ && patch->url) changed_();  // a new URL makes its pending message due now
  return jsonReply(subscriptionJson(*updated));
}

http::Response SubscriptionsApi::act(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t) return notFound(request);
  auto body = jsonBody(request, true);
  if (!body) return http::errorResponse(body.error());
  const auto now = clock_.nowMicros();
  if (t->rest == "/rotate-secret") {
    if (auto ok = onlyFields(*body, {"secret"}); !ok) return http::errorResponse(ok.error());
    auto given = optionalString(*body, "secret");
    if (!given) return http::errorResponse(given.error());
    if (*given)
      if (auto ok = checkSubscriptionSecret(**given); !ok) return http::errorResponse(ok.error());
    const std::string secret = *given ? **given : newSubscriptionSecret();
    auto s = store_.rotateSecret(t->id, secret, now);
    if (!s) return http::errorResponse(s.error());
    auto out = subscriptionJson(*s);
    out["secret"] = secret;
    return jsonReply(out);
  }
  const auto noBody = invalidArgument("this request takes no body (or {})");
  if (t->rest == "/pause" || t->rest == "/resume") {
    if (!body->empty()) return http::errorResponse(noBody);
    auto s = t->rest == "/pause" ? store_.pause(t->id, now) : store_.resume(t->id, now);
    if (!s) return http::errorResponse(s.error());
    if (changed_) changed_();
    return jsonReply(subscriptionJson(*s));
  }
  constexpr std::string_view kMessages = "/messages/", kRetry = "/retry";
  if (t->rest.starts_with(kMessages) && t->rest.ends_with(kRetry)) {
    auto messageId = parseInteger(t->rest.substr(kMessages.size(), t->rest.size() - kMessages.size() - kRetry.size()));
    if (!messageId || *messageId < 1) return notFound(request);
    if (!body->empty()) return http::errorResponse(noBody);
    auto m = store_.retryMessage(t->id, *messageId, now);
    if (!m) return http::errorResponse(m.error());
    if (changed_) changed_();
    return jsonReply(messageJson(*m));
  }
  return notFound(request);
}

http::Response SubscriptionsApi::remove(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t || !t->rest.empty()) return notFound(request);
  if (auto done = store_.remove(t->id); !done) return http::errorResponse(done.error());
  return jsonReply({{"deleted", t->id}});
}

}  // namespace forgehook::api
