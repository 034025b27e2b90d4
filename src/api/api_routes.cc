#include "api/api_routes.h"

#include "api/activity_metrics_api.h"
#include "api/admin_auth.h"
#include "api/changes_api.h"
#include "api/commands_api.h"
#include "api/deliveries_api.h"
#include "api/health_api.h"
#include "api/planning_api.h"
#include "api/query_params.h"
#include "api/replay_api.h"
#include "api/retention_api.h"
#include "api/rules_api.h"
#include "api/resources_api.h"
#include "api/secrets_api.h"
#include "api/session_api.h"
#include "api/stream_tickets.h"
#include "api/streams_api.h"
#include "api/subscriptions_api.h"
#include "api/tokens_api.h"

namespace forgehook::api {
namespace {

constexpr std::int64_t kApiBodyLimit = 64 * 1024;

using Params = std::vector<std::string_view>;
const Params kNone;
const Params kDeliveryParams{"forge", "event", "repository", "delivery_id", "status",
                             "since", "until", "timeframe",  "limit",       "cursor"};
const Params kRepositoryOnly{"repository"};
const Params kSubscriptionReadParams{"status", "limit"};  // each sub-resource checks its own
const Params kConnectionListParams{"forge"};
const Params kConnectionReadParams{"limit"};
const Params kChangeParams{"after", "resource", "repository", "forge", "limit"};
const Params kMetricsRange{"repository", "since", "until", "timeframe"};
const Params kSprintParams{"repository", "milestone"};
// CI runs are counted from `since` (or `timeframe`) up to now: the endpoint has no `until`.
const Params kHealthParams{"repository", "since", "timeframe", "stale_pull_days", "stale_issue_days"};

}  // namespace

struct ApiRoutes::Handlers {
  explicit Handlers(const ApiDependencies& d)
      : tickets(d.clock),
        auth(d.adminToken, d.store.tokenStore(), d.store.sessionStore(), tickets, d.clock),
        session(auth, d.clock, d.sessions),
        tokens(d.store.tokenStore(), tickets, d.clock, [this](std::int64_t id) { streams.closeStreamsOf(id); }),
        deliveries(d.store.deliveryLog(), d.clock),
        secrets(d.store.secretStore(), d.secretsChanged, d.rotateKey),
        resources(d.store.activityReader(), d.clock),
        planning(d.store.planningStore(), d.clock),
        replay(d.store.processingQueue(), d.pipeline, d.clock),
        retention(d.store.bodyRetention(), d.clock, d.bodyRetentionDays),
        metrics(d.store.metricsReader(), d.clock, d.forge ? &d.store.connectionStore() : nullptr,
                d.forge ? d.forge->budgets : ActivityMetricsApi::Budgets{}),
        changes(d.store.changeFeed()),
        streams(d.hub, auth, d.store.activityReader()),
        subscriptions(d.store.subscriptionStore(), d.clock, d.allowPrivateNetworks, d.subscriptionsChanged),
        commands(d.store.commandRunStore(), d.rules, d.clock, d.commandsQueued),
        rules(d.rules, d.store.deliveryLog(), d.commandWorkdir) {
    if (d.forge) connections.emplace(*d.forge, d.store.connectionStore(), d.store.deliveryLog(), d.clock);
  }
  StreamTickets tickets;
  Authenticator auth;
  SessionApi session;
  TokensApi tokens;
  DeliveriesApi deliveries;
  SecretsApi secrets;
  ResourcesApi resources;
  PlanningApi planning;
  ReplayApi replay;
  RetentionApi retention;
  ActivityMetricsApi metrics;
  ChangesApi changes;
  StreamsApi streams;
  SubscriptionsApi subscriptions;
  CommandsApi commands;
  RulesApi rules;
  std::optional<ConnectionsApi> connections;
};

ApiRoutes::ApiRoutes(ApiDependencies deps) : deps_(std::move(deps)), handlers_(std::make_unique<Handlers>(deps_)) {}
ApiRoutes::~ApiRoutes() = default;

const Authenticator& ApiRoutes::authenticator() const { return handlers_->auth; }

std::vector<http::Route> ApiRoutes::routes() {
  Handlers& h = *handlers_;
  const Authenticator* auth = &h.auth;
  // A route of an API object's method.
  auto call = [](auto& object, http::Response (std::remove_reference_t<decltype(object)>::*method)(const http::Request&)
                                   const) -> SyncHandler {
    return [&object, method](const http::Request& r) { return (object.*method)(r); };
  };
  std::vector<http::Route> routes = {
      {.method = "GET",
       .path = "/healthz",
       .handler = guarded(nullptr, Access::Public, kNone, [](const http::Request&) { return healthz(); })},
      {.method = "GET",
       .path = "/readyz",
       .blocking = true,
       .handler = guarded(nullptr, Access::Public, kNone,
                          [log = &deps_.store.deliveryLog()](const http::Request&) { return readyz(*log); })},
      {.method = "GET",
       .path = "/metrics",
       .handler = guarded(nullptr, Access::Public, kNone,
                          [m = &deps_.metrics](const http::Request&) { return metricsText(*m); })},
      {.method = "GET",
       .path = "/api/v1/deliveries",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kDeliveryParams, call(h.deliveries, &DeliveriesApi::list))},
      {.method = "GET",
       .path = "/api/v1/deliveries/*",
       .name = "/api/v1/deliveries/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kNone, call(h.deliveries, &DeliveriesApi::show))},
      // Before the replay route, whose pattern it also matches.
      {.method = "POST",
       .path = "/api/v1/deliveries/prune",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.retention, &RetentionApi::prune))},
      {.method = "POST",
       .path = "/api/v1/deliveries/*",
       .name = "/api/v1/deliveries/{id}/replay",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.replay, &ReplayApi::replayOne))},
      {.method = "POST",
       .path = "/api/v1/replay",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.replay, &ReplayApi::replay))},
      {.method = "POST",
       .path = "/api/v1/rebuild",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.replay, &ReplayApi::rebuild))},
      {.method = "POST",
       .path = "/api/v1/items",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.planning, &PlanningApi::createItem))},
      {.method = "GET",
       .path = "/api/v1/items/*",
       .name = "/api/v1/items/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kNone, call(h.planning, &PlanningApi::getItem))},
      {.method = "PATCH",
       .path = "/api/v1/items/*",
       .name = "/api/v1/items/{id}",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.planning, &PlanningApi::updateItem))},
      {.method = "DELETE",
       .path = "/api/v1/items/*",
       .name = "/api/v1/items/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.planning, &PlanningApi::deleteItem))},
      {.method = "POST",
       .path = "/api/v1/incidents/*",
       .name = "/api/v1/incidents/{id}/ack",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.planning, &PlanningApi::acknowledgeIncident))},
      {.method = "GET",
       .path = "/api/v1/commands/*",
       .name = "/api/v1/commands/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kNone, call(h.commands, &CommandsApi::show))},
      {.method = "POST",
       .path = "/api/v1/commands/*",
       .name = "/api/v1/commands/{id}/rerun",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.commands, &CommandsApi::rerun))},
      {.method = "GET",
       .path = "/api/v1/rules",
       .handler = guarded(auth, Access::Read, kNone, call(h.rules, &RulesApi::list))},
      // A dry run: reads a delivery, changes nothing, so a read-only token may use it.
      {.method = "POST",
       .path = "/api/v1/rules/test",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Read, kNone, call(h.rules, &RulesApi::test))},
      {.method = "GET",
       .path = "/api/v1/changes",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kChangeParams, call(h.changes, &ChangesApi::list))},
      {.method = "GET",
       .path = "/api/v1/metrics/status",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kRepositoryOnly, call(h.metrics, &ActivityMetricsApi::status))},
      {.method = "GET",
       .path = "/api/v1/metrics/pulls",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kMetricsRange, call(h.metrics, &ActivityMetricsApi::pulls))},
      {.method = "GET",
       .path = "/api/v1/metrics/sprint",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kSprintParams, call(h.metrics, &ActivityMetricsApi::sprint))},
      {.method = "GET",
       .path = "/api/v1/metrics/health",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kHealthParams, call(h.metrics, &ActivityMetricsApi::health))},
      {.method = "GET",
       .path = "/api/v1/secrets",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.secrets, &SecretsApi::list))},
      {.method = "POST",
       .path = "/api/v1/secrets/rotate-key",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.secrets, &SecretsApi::rotateKey))},
      {.method = "PUT",
       .path = "/api/v1/secrets/*",
       .name = "/api/v1/secrets/{scope}",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.secrets, &SecretsApi::put))},
      {.method = "DELETE",
       .path = "/api/v1/secrets/*",
       .name = "/api/v1/secrets/{scope}",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.secrets, &SecretsApi::remove))},
      {.method = "POST",
       .path = "/api/v1/tokens",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.tokens, &TokensApi::create))},
      {.method = "GET",
       .path = "/api/v1/tokens",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.tokens, &TokensApi::list))},
      {.method = "DELETE",
       .path = "/api/v1/tokens/*",
       .name = "/api/v1/tokens/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.tokens, &TokensApi::revoke))},
      // Dashboard sign-in: anyone may try a token; showing and ending a session need one.
      {.method = "POST",
       .path = "/api/v1/session",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(nullptr, Access::Public, kNone, call(h.session, &SessionApi::signIn))},
      {.method = "GET",
       .path = "/api/v1/session",
       .blocking = true,
       .handler = guarded(h.auth, Access::Read, kNone,
                          [&h](const http::Request& r, const Principal& p) { return h.session.show(r, p); })},
      {.method = "DELETE",
       .path = "/api/v1/session",
       .blocking = true,
       .handler = guarded(h.auth, Access::Read, kNone,
                          [&h](const http::Request& r, const Principal& p) { return h.session.signOut(r, p); })},
      {.method = "POST",
       .path = "/api/v1/subscriptions",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.subscriptions, &SubscriptionsApi::create))},
      {.method = "GET",
       .path = "/api/v1/subscriptions",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kNone, call(h.subscriptions, &SubscriptionsApi::list))},
      {.method = "GET",
       .path = "/api/v1/subscriptions/*",
       .name = "/api/v1/subscriptions/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Read, kSubscriptionReadParams, call(h.subscriptions, &SubscriptionsApi::read))},
      {.method = "PATCH",
       .path = "/api/v1/subscriptions/*",
       .name = "/api/v1/subscriptions/{id}",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.subscriptions, &SubscriptionsApi::update))},
      {.method = "POST",
       .path = "/api/v1/subscriptions/*",
       .name = "/api/v1/subscriptions/{id}/{action}",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.subscriptions, &SubscriptionsApi::act))},
      {.method = "DELETE",
       .path = "/api/v1/subscriptions/*",
       .name = "/api/v1/subscriptions/{id}",
       .blocking = true,
       .handler = guarded(auth, Access::Admin, kNone, call(h.subscriptions, &SubscriptionsApi::remove))},
      {.method = "POST",
       .path = "/api/v1/stream/tickets",
       .maxBodyBytes = kApiBodyLimit,
       .blocking = true,
       .handler = guarded(h.auth, Access::Read, kNone,
                          [&h](const http::Request& r, const Principal& p) { return h.tokens.issueTicket(r, p); })},
  };
  if (h.connections) {
    ConnectionsApi& c = *h.connections;
    const std::vector<http::Route> connectionRoutes = {
        {.method = "POST",
         .path = "/api/v1/connections",
         .maxBodyBytes = kApiBodyLimit,
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::connect))},
        {.method = "GET",
         .path = "/api/v1/connections",
         .blocking = true,
         .handler = guarded(auth, Access::Read, kConnectionListParams, call(c, &ConnectionsApi::list))},
        {.method = "GET",
         .path = "/api/v1/connections/*",
         .name = "/api/v1/connections/{id}",
         .blocking = true,
         .handler = guarded(auth, Access::Read, kConnectionReadParams, call(c, &ConnectionsApi::read))},
        {.method = "POST",
         .path = "/api/v1/connections/*",
         .name = "/api/v1/connections/{id}/{action}",
         .maxBodyBytes = kApiBodyLimit,
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::act))},
        {.method = "DELETE",
         .path = "/api/v1/connections/*",
         .name = "/api/v1/connections/{id}",
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::disconnect))},
        {.method = "GET",
         .path = "/api/v1/credentials",
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::listCredentials))},
        {.method = "PUT",
         .path = "/api/v1/credentials/*",
         .name = "/api/v1/credentials/{forge}",
         .maxBodyBytes = kApiBodyLimit,
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::putCredential))},
        {.method = "DELETE",
         .path = "/api/v1/credentials/*",
         .name = "/api/v1/credentials/{forge}",
         .blocking = true,
         .handler = guarded(auth, Access::Admin, kNone, call(c, &ConnectionsApi::deleteCredential))},
    };
    routes.insert(routes.end(), connectionRoutes.begin(), connectionRoutes.end());
  }
  // The live streams authenticate themselves (a bearer token, a single-use ticket or a session
  // cookie) and block only on one indexed store read (a read-only token or a session).
  routes.push_back({.method = "GET",
                    .path = "/api/v1/events",
                    .stream = http::StreamKind::ServerSentEvents,
                    .streamHandler = [&h](const http::Request& r) { return h.streams.events(r); }});
  routes.push_back({.method = "GET",
                    .path = "/api/v1/stream",
                    .stream = http::StreamKind::WebSocket,
                    .streamHandler = [&h](const http::Request& r) { return h.streams.stream(r); }});
  for (const auto& spec : store::resourceSpecs()) {
    routes.push_back({.method = "GET",
                      .path = "/api/v1/" + std::string(spec.name),
                      .blocking = true,
                      .handler = guarded(auth, Access::Read, listParams(spec),
                                         [&h, &spec](const http::Request& r) { return h.resources.list(r, spec); })});
  }
  return routes;
}

}  // namespace forgehook::api
