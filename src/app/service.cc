#include "app/service.h"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>

#include "api/api_routes.h"
#include "api/changes_api.h"
#include "app/data_dir.h"
#include "app/forge_connections.h"
#include "app/housekeeping.h"
#include "app/key_rotation.h"
#include "app/logged_leadership.h"
#include "app/shared_state_refresh.h"
#include "app/master_key.h"
#include "app/startup.h"
#include "core/forge.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "dashboard/dashboard_routes.h"
#include "http/server.h"
#include "ingest/webhook_endpoint.h"
#include "live/change_hub.h"
#include "mcp/mcp_http.h"
#include "outbound/curl_poster.h"
#include "outbound/dispatcher.h"
#include "pipeline/command_matcher.h"
#include "pipeline/command_scheduler.h"
#include "pipeline/processor.h"
#include "pipeline/worker.h"
#include "rules/rule_set.h"
#include "store/intake_queue.h"
#include "store/keyring.h"
#include "store/postgres/pg_backend.h"
#include "store/postgres/pg_connection.h"
#include "store/sqlite/sqlite_backend.h"

namespace forgehook::app {
namespace {

// This node's name among the nodes sharing a PostgreSQL store: store.postgres.node, else the host
// and data dir. The same name after a restart: the node takes its own claims back at once instead
// of waiting for their lease to run out. Nodes on one machine have data dirs of their own.
std::string nodeName(const core::Config& config) {
  if (!config.store.postgres.node.empty()) return config.store.postgres.node;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  return std::string(host) + ":" + std::filesystem::absolute(config.dataDir).lexically_normal().string();
}

// The backend store.backend names: SQLite in data_dir, or PostgreSQL shared with other nodes.
std::unique_ptr<store::Backend> openStore(const core::Config& config, const store::Keyring& keyring,
                                          const std::string& node) {
  if (config.store.backend == "postgres") {
    const auto settings = store::postgres::pgSettingsFrom(config.store.postgres);
    const auto& pg = config.store.postgres;
    return store::postgres::openPostgresBackend({settings.url, settings.password, node,
                                                 pg.claimLeaseSeconds * 1'000'000, static_cast<int>(pg.poolSize),
                                                 &keyring});
  }
  return store::sqlite::openSqliteBackend({config.dataDir + "/forgehook.db", config.store.synchronous == "full",
                                           config.store.maxBytes, &keyring, config.store.quickCheckAtStart});
}

}  // namespace

int serve(core::Config config, const ServeOptions& options) {
  const sigset_t stopSignals = prepareProcess();
  checkConfig(config);
  // [[rules]]: compiled once (a bad regex or template stops the start, naming the rule, before
  // anything is written), matched while processing, their commands run by the scheduler.
  auto compiledRules = rules::RuleSet::compile(config.rules);
  if (!compiledRules) throw std::invalid_argument(compiledRules.error().message);
  const rules::RuleSet ruleSet = std::move(*compiledRules);
  core::Logger logger(core::parseLogLevel(config.logLevel));
  ensureDataDir(config.dataDir);
  const GeneratedSecrets generated = prepareSecrets(config);

  core::SystemClock clock;
  core::Metrics metrics;
  const MasterKeys keys = loadMasterKeys(config.dataDir, MasterKeyEnvironment::fromProcess());
  store::Keyring keyring(keys.current, keys.previous);
  const bool shared = config.store.backend == "postgres";  // nodes may share the store
  const std::string node = shared ? nodeName(config) : std::string();
  const auto store = openStore(config, keyring, node);
  // With several nodes, the log says where each periodic job runs, and when it moved.
  std::optional<LoggedLeadership> loggedLeadership;
  store::Leadership* leadership = &store->leadership();
  if (shared) leadership = &loggedLeadership.emplace(*leadership, logger, node);
  resealAtStart(keys, config.dataDir, store->secretResealer(), logger);
  KeyRotation rotation(config.dataDir, keys.fromEnvironment, keyring, store->secretResealer(), logger);
  pipeline::RetryPolicy retry{static_cast<int>(config.pipeline.maxAttempts),
                              config.pipeline.retryBaseMs * 1000,
                              config.pipeline.retryMaxMs * 1000,
                              {}};
  pipeline::Processor processor(store->processingQueue(), clock, metrics,
                                {static_cast<int>(config.pipeline.batchSize), retry,
                                 ruleSet.empty() ? pipeline::CommandMatcher{} : pipeline::makeCommandMatcher(ruleSet),
                                 /*prefetch=*/true});
  const std::string payloadDir = ensureCommandPayloadDir(config.dataDir);
  pipeline::CommandScheduler commands(store->commandRunStore(), store->deliveryLog(), ruleSet, clock, logger,
                                      {static_cast<int>(config.commands.maxRunning),
                                       std::chrono::milliseconds(config.commands.killGraceMs),
                                       std::chrono::milliseconds(500),
                                       std::chrono::seconds(10),
                                       config.dataDir,
                                       payloadDir,
                                       leadership},
                                      &metrics);
  // Without pipeline.enabled the worker is never started: its wake-ups then change nothing.
  pipeline::Worker worker(
      processor, logger,
      {.pollInterval = std::chrono::milliseconds(config.pipeline.pollIntervalMs),
       .shareWhileIngesting = config.pipeline.shareWhileIngesting,
       .nice = static_cast<int>(config.pipeline.nice)});
  // Outbound subscriptions: the dispatcher copies new changes into the outboxes and posts them.
  const auto& subs = config.subscriptions;
  outbound::CurlPoster poster({subs.connectTimeoutMs, subs.timeoutMs, subs.allowPrivateNetworks,
                               std::string("forgehook/") + FORGEHOOK_VERSION});
  outbound::Dispatcher dispatcher(store->subscriptionStore(), poster, clock, logger, &metrics, api::changeJson,
                                  {subs.retryInitialMs, subs.retryMaxMs, subs.retryPeriodS,
                                   subs.disableAfterFailedMessages, static_cast<int>(subs.senders), 1000,
                                   leadership});
  // The change hub hears of every commit (the store's commit hook) and feeds the live streams; the
  // dispatcher hears of it too (new changes to enqueue).
  live::ChangeHub hub(store->changeFeed(), logger, {});
  // Several nodes (PostgreSQL): secrets and credentials another node changed reach this one.
  SharedStateRefresh sharedState(std::chrono::seconds(10));
  store->changeFeed().setCommitListener([&hub, &dispatcher, &commands, &sharedState, shared] {
    hub.notify();
    dispatcher.notify();
    commands.notify();
    if (shared) sharedState.tick();
  });
  hub.start();
  dispatcher.start();
  Housekeeping housekeeping(store->changeFeed(),
                            {config.changes.retentionDays * 86400 * 1'000'000, config.changes.retentionRecords},
                            &store->subscriptionStore(), &store->processingQueue(),
                            {&store->bodyRetention(), config.store.retentionDays * 86400 * 1'000'000}, clock, logger,
                            std::chrono::minutes(1), leadership);
  housekeeping.start();
  store::IntakeQueue intake(store->deliveryLog(), {config.intake.maxPending, config.intake.maxBatch, &worker}, metrics);
  if (config.pipeline.enabled) worker.start();
  commands.start();

  ingest::SecretResolver secrets({{std::string(core::forgeName(core::Forge::GitHub)), config.github.secrets},
                                  {std::string(core::forgeName(core::Forge::GitLab)), config.gitlab.secrets},
                                  {std::string(core::forgeName(core::Forge::Gitea)), config.gitea.secrets}});
  // Secrets stored through the secrets API, and those of the hooks forgehook manages.
  auto reloadSecrets = [&] {
    auto stored = store->secretStore().loadSecrets();
    auto managed = store->connectionStore().acceptedSecrets(clock.nowMicros() / 1'000'000);
    if (!stored || !managed) {
      logger.error("cannot load stored secrets",
                   {{"error", !stored ? stored.error().message : managed.error().message}});
      return;
    }
    stored->insert(stored->end(), managed->begin(), managed->end());
    secrets.replaceStored(*stored);
  };
  reloadSecrets();
  ForgeConnections forgeConnections(config, *store, *leadership, intake, clock, logger, reloadSecrets);
  // The forge clients are built again only when a stored credential changed: building them drops
  // their rate-limit budgets.
  std::size_t credentialsSeen = 0;
  sharedState.setReload(reloadSecrets, [&] {
    auto stored = store->connectionStore().listCredentials();
    if (!stored) return;
    std::string all;
    for (const auto& c : *stored)
      all += c.forge + '\n' + c.apiUrl + '\n' + c.kind + '\n' + c.token.value_or("") + '\n' + c.appId.value_or("") +
             '\n' + c.appPrivateKey.value_or("") + '\n' + c.appWebhookSecret.value_or("") + '\n';
    const auto fingerprint = std::hash<std::string>{}(all);
    // The first look only notes them: the clients were built from these.
    if (const auto before = std::exchange(credentialsSeen, fingerprint); before != 0 && before != fingerprint)
      forgeConnections.services().credentialsChanged();
  });
  ingest::RateLimiter limiter(config.limits.ratePerSecond, config.limits.rateBurst, clock);
  ingest::FailureThrottle failureThrottle(config.limits.signatureFailuresPerMinute,
                                          config.limits.signatureFailuresBurst, clock);

  // The route table's handlers must outlive the router that calls them.
  api::ApiRoutes api({*store,
                      clock,
                      metrics,
                      config.adminToken,
                      worker,
                      reloadSecrets,
                      hub,
                      {config.dashboard.sessionTtlHours * 3600, config.dashboard.secureCookie},
                      [&dispatcher] { dispatcher.notify(); },
                      subs.allowPrivateNetworks,
                      &forgeConnections.services(),
                      [&rotation, shared]() -> core::Result<api::RotatedKey> {
                        // One node's new key would leave the others unable to open any secret.
                        if (shared)
                          return std::unexpected(core::Error::conflict(
                              "key_rotation_shared_store",
                              "the store is on PostgreSQL, which several nodes may share: rotate the master key by "
                              "restarting every "
                              "node (docs/CONFIG.md, \"Several nodes on PostgreSQL\")"));
                        return rotation.rotate();
                      },
                      config.store.retentionDays,
                      &ruleSet,
                      [&commands] { commands.notify(); },
                      config.dataDir});
  const dashboard::DashboardRoutes dashboard;
  http::Router router;
  const auto github = ingest::makeGitHubScheme(config.github);
  const auto gitlab = ingest::makeGitLabScheme(config.gitlab);
  const auto gitea = ingest::makeGiteaScheme(config.gitea);
  std::vector<std::unique_ptr<ingest::WebhookEndpoint>> endpoints;
  for (const ingest::ForgeScheme* scheme : {github.get(), gitlab.get(), gitea.get()}) {
    auto& endpoint = endpoints.emplace_back(std::make_unique<ingest::WebhookEndpoint>(
        ingest::WebhookEndpoint::Dependencies{
            *scheme, secrets, intake, limiter, clock, metrics, config.store.compressionLevel, &failureThrottle, &logger,
            shared ? &sharedState : nullptr}));
    router.add(
        {.method = "POST",
         .path = "/webhooks/" + std::string(scheme->forge()),
         .maxBodyBytes = config.server.maxBodyBytes,
         .webhook = true,
         .handler = [e = endpoint.get()](http::Request&& r, http::Reply reply) { e->handle(std::move(r), reply); }});
  }
  for (auto& route : api.routes()) router.add(std::move(route));
  for (auto& route : dashboard.routes()) router.add(std::move(route));
  // MCP at /mcp: its tools run the routes above, in-process.
  mcp::McpHttp mcp(router, api.authenticator(), hub, {FORGEHOOK_VERSION});
  for (auto& route : mcp.routes()) router.add(std::move(route));

  http::HttpServer server(serverOptions(config), router, metrics, logger);
  const std::string address = server.start();
  writeAddressFile(config.dataDir, address);
  printBanner(address, generated, config.dataDir, options.showSecrets,
              shared ? "PostgreSQL, as node " + node : std::string());
  logger.info("started", {{"address", address}, {"data_dir", config.dataDir}});
  forgeConnections.start();  // after listening: pings and redeliveries it asks for can arrive

  int signal = 0;
  sigwait(&stopSignals, &signal);
  logger.info("stopping", {{"signal", signal}});
  forgeConnections.stop();
  server.stop(std::chrono::seconds(10));
  intake.stop();
  worker.stop();
  commands.stop();
  housekeeping.stop();
  dispatcher.stop();
  store->changeFeed().setCommitListener(nullptr);
  hub.stop();
  removeAddressFile(config.dataDir);
  logger.info("stopped");
  return 0;
}

}  // namespace forgehook::app
