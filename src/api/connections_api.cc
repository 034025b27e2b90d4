#include "api/connections_api.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "api/query_params.h"
#include "core/forge.h"
#include "forge/credential_clients.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/api/v1/connections/";
constexpr std::string_view kCredentialsPrefix = "/api/v1/credentials/";
constexpr std::int64_t kDay = 86400;

json secondsOrNull(const std::optional<std::int64_t>& seconds) {
  return seconds ? json(core::formatRfc3339(*seconds * 1'000'000)) : json();
}
json textOrNull(const std::optional<std::string>& text) { return text ? json(*text) : json(); }

json connectionJson(const store::Connection& c, std::int64_t now) {
  json out = {{"id", c.id},
              {"forge", c.forge},
              {"kind", c.kind},
              {c.kind == "organization" ? "organization" : "repository", c.target},
              {"mode", c.mode},
              {"url", c.url},
              {"events", c.events},
              {"hook_id", textOrNull(c.hookId)},
              {"status", c.status},
              {"error", textOrNull(c.error)},
              {"hint", textOrNull(c.hint)},
              {"adopted", c.adopted},
              {"failing", store::isFailing(c)},
              {"failing_since", secondsOrNull(c.failingSince)},
              {"polling", forge::Poller::pollable(c)},
              {"last_polled_at", secondsOrNull(c.lastPolledAt)},
              {"created_at", secondsOrNull(c.createdAt)},
              {"updated_at", secondsOrNull(c.updatedAt)},
              {"checked_at", secondsOrNull(c.checkedAt)}};
  const bool graceOpen = c.previousSecret && c.previousSecretUntil && *c.previousSecretUntil > now;
  out["previous_secret_accepted_until"] = graceOpen ? secondsOrNull(c.previousSecretUntil) : json();
  return out;
}

json runJson(const store::ReconcileRun& r) {
  return {{"id", r.id},
          {"trigger", r.trigger},
          {"started_at", secondsOrNull(r.startedAt)},
          {"finished_at", secondsOrNull(r.finishedAt)},
          {"listed", r.listed},
          {"missing", r.missing},
          {"redelivery_requested", r.requested},
          {"arrived", r.arrived},
          {"given_up", r.givenUp},
          {"api_calls", r.apiCalls},
          {"pages", r.pages},
          {"error", textOrNull(r.error)}};
}

json hookJson(const forge::ForgeHook& h) {
  return {{"id", h.id},
          {"url", h.url},
          {"events", h.events},
          {"active", h.active},
          {"content_type", h.contentType},
          {"last_response",
           {{"code", h.lastResponse.code ? json(*h.lastResponse.code) : json()},
            {"status", h.lastResponse.status},
            {"message", h.lastResponse.message}}}};
}

http::Response notFound(const http::Request& request) {
  return http::errorResponse(core::Error::notFound("no such connection resource: " + request.path));
}

core::Result<std::vector<std::string>> stringArray(const json& body, const char* name) {
  const auto& value = body[name];
  if (!value.is_array()) return std::unexpected(invalidArgument(std::string(name) + " must be an array of strings"));
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return std::unexpected(invalidArgument(std::string(name) + " must be an array of strings"));
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

http::Response ConnectionsApi::connect(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"forge", "repository", "organization", "events", "url", "mode", "secret"}); !ok)
    return http::errorResponse(ok.error());
  forge::ConnectRequest r;
  auto forgeName = optionalString(*body, "forge");
  auto repository = optionalString(*body, "repository");
  auto organization = optionalString(*body, "organization");
  auto url = optionalString(*body, "url");
  auto mode = optionalString(*body, "mode");
  auto secret = optionalString(*body, "secret");
  for (const auto* field : {&forgeName, &repository, &organization, &url, &mode, &secret})
    if (!*field) return http::errorResponse(field->error());
  if (repository->has_value() == organization->has_value())
    return http::errorResponse(invalidArgument("name either repository (OWNER/NAME) or organization (ORG)"));
  r.forge = forgeName->value_or("github");
  r.kind = *repository ? "repository" : "organization";
  r.target = *repository ? **repository : **organization;
  r.publicUrl = *url;
  r.mode = *mode;
  if (*secret) {
    // Long enough not to be guessed, and text every forge takes (GitLab sends it as a header).
    const auto& text = **secret;
    const bool printable = std::all_of(text.begin(), text.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
    if (text.size() < 16 || text.size() > 256 || !printable)
      return http::errorResponse(invalidArgument("secret must be 16 to 256 printable characters without spaces"));
    r.secret = text;
  }
  if (body->contains("events") && !(*body)["events"].is_null()) {
    auto events = stringArray(*body, "events");
    if (!events) return http::errorResponse(events.error());
    r.events = std::move(*events);
  }
  auto connected = forge_.hooks.connect(r);
  if (!connected) return http::errorResponse(connected.error());
  // From polling to webhooks: one more poll once the hook exists covers the time in between.
  if (connected->switchedToWebhooks) (void)forge_.poller.poll(connected->connection.id);
  return jsonReply(connectionJson(connected->connection, clock_.nowMicros() / 1'000'000),
                   connected->created ? 201 : 200);
}

http::Response ConnectionsApi::list(const http::Request& request) const {
  auto forgeFilter = request.queryParam("forge");
  if (forgeFilter && !core::parseForge(*forgeFilter))
    return http::errorResponse(
        invalidArgument("forge must be one of github, gitlab, gitea (got \"" + *forgeFilter + "\")"));
  auto all = connections_.listConnections();
  if (!all) return http::errorResponse(all.error());
  const auto now = clock_.nowMicros() / 1'000'000;
  json items = json::array();
  for (const auto& c : *all)
    if (!forgeFilter || c.forge == *forgeFilter) items.push_back(connectionJson(c, now));
  return jsonReply({{"connections", std::move(items)}});
}

http::Response ConnectionsApi::read(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t) return notFound(request);
  auto c = connections_.getConnection(t->id);
  if (!c) return http::errorResponse(c.error());
  const auto now = clock_.nowMicros() / 1'000'000;
  if (t->rest.empty()) return jsonReply(connectionJson(*c, now));
  if (t->rest == "/reconciliations") {
    int limit = 20;
    if (auto ok = readLimit(request, limit); !ok) return http::errorResponse(ok.error());
    auto runs = connections_.listRuns(t->id, limit);
    if (!runs) return http::errorResponse(runs.error());
    json items = json::array();
    for (const auto& r : *runs) items.push_back(runJson(r));
    return jsonReply({{"reconciliations", std::move(items)}});
  }
  if (t->rest != "/status") return notFound(request);
  json out = connectionJson(*c, now);
  // The newest delivery of this hook (GitHub) or repository.
  store::DeliveryFilter filter;
  filter.forge = c->forge;
  if (c->kind == "repository") filter.repository = c->target;
  filter.limit = 1;
  json last;
  if (c->kind == "repository") {
    if (auto page = deliveries_.listDeliveries(filter); page && !page->deliveries.empty())
      last = core::formatRfc3339(page->deliveries.front().receivedAt);
  }
  out["last_delivery_at"] = last;
  auto counts = connections_.trackedCounts(t->id, now - kDay);
  if (!counts) return http::errorResponse(counts.error());
  out["failures_24h"] = counts->missing + counts->requested + counts->arrived + counts->givenUp;
  out["missed_24h"] = {
      {"awaiting", counts->missing + counts->requested}, {"arrived", counts->arrived}, {"given_up", counts->givenUp}};
  if (c->hookId) {
    auto hook = forge_.hooks.forgeHook(*c);
    out["forge_hook"] = hook ? hookJson(*hook) : json();
    out["forge_error"] = hook ? json() : json(hook.error().message);
  } else {
    out["forge_hook"] = json();
    out["forge_error"] = json();
  }
  auto runs = connections_.listRuns(t->id, 5);
  if (!runs) return http::errorResponse(runs.error());
  json recent = json::array();
  for (const auto& r : *runs) recent.push_back(runJson(r));
  out["reconciliations"] = std::move(recent);
  return jsonReply(out);
}

http::Response ConnectionsApi::act(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t) return notFound(request);
  auto body = jsonBody(request, true);
  if (!body) return http::errorResponse(body.error());
  if (!body->empty()) return http::errorResponse(invalidArgument("this request takes no body (or {})"));
  const auto now = clock_.nowMicros() / 1'000'000;
  if (t->rest == "/rotate-secret") {
    auto c = forge_.hooks.rotateSecret(t->id);
    if (!c) return http::errorResponse(c.error());
    return jsonReply(connectionJson(*c, now));
  }
  if (t->rest == "/recheck") {
    auto c = forge_.hooks.recheck(t->id);
    if (!c) return http::errorResponse(c.error());
    return jsonReply(connectionJson(*c, now));
  }
  if (t->rest == "/ping") {
    auto p = forge_.hooks.ping(t->id);
    if (!p) return http::errorResponse(p.error());
    return jsonReply({{"requested_at", core::formatRfc3339(p->requestedAt)},
                      {"arrived", p->arrived},
                      {"arrived_at", p->arrivedAt ? json(core::formatRfc3339(*p->arrivedAt)) : json()},
                      {"round_trip_ms", p->roundTripMs ? json(*p->roundTripMs) : json()},
                      {"delivery", p->arrived ? json(p->deliveryId) : json()}});
  }
  if (t->rest == "/test") {
    auto r = forge_.hooks.test(t->id);
    if (!r) return http::errorResponse(r.error());
    json access;
    if (r->access)
      access = {{"can_read_hooks", r->access->canReadHooks},
                {"can_manage_hooks", r->access->canManageHooks},
                {"credential", r->access->credential},
                {"scopes", r->access->scopes},
                {"detail", r->access->detail}};
    return jsonReply({{"url", r->url},
                      {"public_url",
                       {{"reachable", r->publicUrl.reachable},
                        {"status", r->publicUrl.status ? json(*r->publicUrl.status) : json()},
                        {"detail", r->publicUrl.detail}}},
                      {"access", access},
                      {"access_error", textOrNull(r->accessError)},
                      {"hook", r->hook ? hookJson(*r->hook) : json()},
                      {"hook_error", textOrNull(r->hookError)}});
  }
  if (t->rest == "/reconcile") {
    auto run = forge_.reconciler.reconcile(t->id, "manual");
    if (!run) return http::errorResponse(run.error());
    return jsonReply(runJson(*run));
  }
  if (t->rest == "/poll") {
    auto polled = forge_.poller.poll(t->id);
    if (!polled) return http::errorResponse(polled.error());
    return jsonReply({{"not_modified", polled->notModified},
                      {"events", polled->events},
                      {"new", polled->submitted},
                      {"next_poll_at", secondsOrNull(polled->nextPollAt)}});
  }
  return notFound(request);
}

http::Response ConnectionsApi::disconnect(const http::Request& request) const {
  auto t = pathTarget(request, kPrefix);
  if (!t || !t->rest.empty()) return notFound(request);
  auto c = forge_.hooks.disconnect(t->id);
  if (!c) return http::errorResponse(c.error());
  return jsonReply({{"disconnected", connectionJson(*c, clock_.nowMicros() / 1'000'000)}});
}

namespace {

std::optional<std::string> credentialForge(const http::Request& request) {
  std::string_view path = request.path;
  if (!path.starts_with(kCredentialsPrefix)) return std::nullopt;
  path.remove_prefix(kCredentialsPrefix.size());
  if (!core::parseForge(path)) return std::nullopt;
  return std::string(path);
}

std::string defaultApiUrl(const std::string& forge) {
  if (forge == "github") return "https://api.github.com";
  if (forge == "gitlab") return "https://gitlab.com";
  return "";
}

json credentialJson(const store::ForgeCredentialRecord& c) {
  return {{"forge", c.forge},
          {"api_url", c.apiUrl},
          {"kind", c.kind},
          {"token", c.token ? json("set") : json()},
          {"app_id", textOrNull(c.appId)},
          {"private_key", c.appPrivateKey ? json("set") : json()},
          {"webhook_secret", c.appWebhookSecret ? json("set") : json()},
          {"created_at", secondsOrNull(c.createdAt)},
          {"updated_at", secondsOrNull(c.updatedAt)}};
}

}  // namespace

http::Response ConnectionsApi::putCredential(const http::Request& request) const {
  auto forgeName = credentialForge(request);
  if (!forgeName)
    return http::errorResponse(core::Error::notFound("no such credential: " + request.path +
                                                     " (use /api/v1/credentials/github, gitlab or gitea)"));
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"api_url", "token", "app_id", "private_key", "webhook_secret"}); !ok)
    return http::errorResponse(ok.error());
  store::ForgeCredentialRecord c;
  c.forge = *forgeName;
  auto apiUrl = optionalString(*body, "api_url");
  auto token = optionalString(*body, "token");
  auto appId = optionalString(*body, "app_id");
  auto key = optionalString(*body, "private_key");
  auto webhookSecret = optionalString(*body, "webhook_secret");
  for (const auto* field : {&apiUrl, &token, &appId, &key, &webhookSecret})
    if (!*field) return http::errorResponse(field->error());
  c.apiUrl = apiUrl->value_or(defaultApiUrl(*forgeName));
  if (c.apiUrl.empty())
    return http::errorResponse(
        invalidArgument("api_url is required for " + *forgeName + " (e.g. https://gitea.example.com)"));
  if (!(c.apiUrl.starts_with("https://") || c.apiUrl.starts_with("http://")))
    return http::errorResponse(invalidArgument("api_url must start with https:// or http://"));
  while (c.apiUrl.ends_with("/")) c.apiUrl.pop_back();
  if (token->has_value() == (appId->has_value() || key->has_value()))
    return http::errorResponse(invalidArgument("give either token, or app_id and private_key (GitHub App)"));
  if (*token) {
    if ((*token)->empty() || (*token)->size() > 4096)
      return http::errorResponse(invalidArgument("token must not be empty"));
    c.kind = "token";
    c.token = **token;
  } else {
    if (*forgeName != "github")
      return http::errorResponse(invalidArgument("a GitHub App credential is for github only"));
    if (!*appId || !*key) return http::errorResponse(invalidArgument("a GitHub App needs app_id and private_key"));
    if ((*appId)->empty() || (*appId)->find_first_not_of("0123456789") != std::string::npos)
      return http::errorResponse(invalidArgument("app_id must be the App's numeric id"));
    if ((*key)->find("-----BEGIN") == std::string::npos || (*key)->find("PRIVATE KEY-----") == std::string::npos)
      return http::errorResponse(invalidArgument("private_key must be the App's PEM private key"));
    c.kind = "app";
    c.appId = **appId;
    c.appPrivateKey = **key;
    c.appWebhookSecret = *webhookSecret;
  }
  if (auto usable = forge::validateForgeCredential(forge::credentialFromRecord(c)); !usable)
    return http::errorResponse(usable.error());
  const auto now = clock_.nowMicros() / 1'000'000;
  auto existing = connections_.getCredential(*forgeName);
  if (!existing) return http::errorResponse(existing.error());
  c.createdAt = *existing ? (*existing)->createdAt : now;
  c.updatedAt = now;
  if (auto saved = connections_.putCredential(c); !saved) return http::errorResponse(saved.error());
  if (forge_.credentialsChanged) forge_.credentialsChanged();
  return jsonReply(credentialJson(c), *existing ? 200 : 201);
}

http::Response ConnectionsApi::listCredentials(const http::Request&) const {
  auto all = connections_.listCredentials();
  if (!all) return http::errorResponse(all.error());
  json items = json::array();
  for (const auto& c : *all) items.push_back(credentialJson(c));
  return jsonReply({{"credentials", std::move(items)}});
}

http::Response ConnectionsApi::deleteCredential(const http::Request& request) const {
  auto forgeName = credentialForge(request);
  if (!forgeName) return http::errorResponse(core::Error::notFound("no such credential: " + request.path));
  if (auto done = connections_.deleteCredential(*forgeName); !done) return http::errorResponse(done.error());
  if (forge_.credentialsChanged) forge_.credentialsChanged();
  return jsonReply({{"deleted", *forgeName}});
}

}  // namespace forgehook::api
