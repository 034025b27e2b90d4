#include "app/service.h"

#include <malloc.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "api/activity_metrics_api.h"
#include "api/admin_auth.h"
#include "api/deliveries_api.h"
#include "api/health_api.h"
#include "api/model_api.h"
#include "api/secrets_api.h"
#include "app/data_dir.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "http/server.h"
#include "ingest/webhook_endpoint.h"
#include "pipeline/processor.h"
#include "pipeline/worker.h"
#include "store/intake_queue.h"
#include "store/sqlite/sqlite_store.h"
#include "verify/standard_webhooks.h"

namespace forgehook::app {
namespace {

constexpr std::int64_t kApiBodyLimit = 64 * 1024;

http::ServerOptions serverOptions(const core::Config& c) {
  http::ServerOptions o;
  const auto colon = c.listen.rfind(':');
  o.host = c.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
  const int port = std::stoi(c.listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::runtime_error("listen: port out of range");
  o.port = static_cast<std::uint16_t>(port);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // One core is left to the group-commit writer and the WAL checkpointer, which run beside the
  // I/O threads; on 2 cores one I/O thread measured ~15% faster than two (docs/PERFORMANCE.md).
  o.ioThreads = c.server.threads > 0 ? c.server.threads : std::max(1, cores - 1);
  o.blockingThreads = 2;
  o.maxHeaderBytes = c.server.maxHeaderBytes;
  o.headerTimeout = std::chrono::milliseconds(c.server.headerTimeoutMs);
  o.bodyTimeout = std::chrono::milliseconds(c.server.bodyTimeoutMs);
  o.idleTimeout = std::chrono::milliseconds(c.server.idleTimeoutMs);
  o.maxConnections = c.server.maxConnections;
  return o;
}

void printBanner(const std::string& address, const GeneratedSecret* githubSecret, const GeneratedSecret* adminToken,
                 const std::string& dataDir, bool showSecrets) {
  std::cout << "forgehook is listening on http://" << address << "\n"
            << "  GitHub webhook URL:        http://" << address << "/webhooks/github\n"
            << "  GitLab webhook URL:        http://" << address << "/webhooks/gitlab\n"
            << "  Gitea/Forgejo webhook URL: http://" << address << "/webhooks/gitea\n"
            << "  Data directory:            " << dataDir << "\n";
  if (githubSecret) {
    if (githubSecret->createdNow || showSecrets)
      std::cout << "  GitHub webhook secret:     " << githubSecret->value << "\n"
                << "    (paste it as the hook's Secret, content type application/json; kept in " << githubSecret->path
                << ")\n";
    else
      std::cout << "  GitHub webhook secret:     kept in " << githubSecret->path
                << " (forgehook serve --show-secrets prints it)\n";
  }
  if (adminToken) {
    if (adminToken->createdNow || showSecrets)
      std::cout << "  Admin API token:           " << adminToken->value << "\n    (kept in " << adminToken->path
                << ")\n";
    else
      std::cout << "  Admin API token:           kept in " << adminToken->path << "\n";
  }
  std::cout.flush();
}

}  // namespace

int serve(core::Config config, const ServeOptions& options) {
  // Block the stop signals before any thread starts, so every thread inherits the mask and only
  // the sigwait below receives them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Every delivery allocates and frees a few body-sized buffers; without this glibc keeps handing
  // the top of the heap back to the kernel and growing it again (sysmalloc) under steady load.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);

  core::Logger logger(core::parseLogLevel(config.logLevel));
  // A malformed signing key is our configuration's fault: refuse to start rather than 401 every delivery.
  for (const auto& key : config.gitlab.signingKeys)
    if (verify::signStandardWebhook(key, "probe", "0", "").empty())
      throw std::runtime_error("gitlab.signing_key must be whsec_<base64> (one of the keys is not)");
  ensureDataDir(config.dataDir);
  std::optional<GeneratedSecret> githubSecret, adminToken;
  if (config.github.secrets.empty() && !config.github.allowUnsigned) {
    githubSecret = loadOrCreateSecret(config.dataDir, "github_secret");
    config.github.secrets = {githubSecret->value};
  }
  if (config.adminToken.empty()) {
    adminToken = loadOrCreateSecret(config.dataDir, "admin_token");
    config.adminToken = adminToken->value;
  }

  core::SystemClock clock;
  core::Metrics metrics;
  store::sqlite::SqliteStore store(
      {config.dataDir + "/forgehook.db", config.store.synchronous == "full", config.store.maxBytes});
  pipeline::RetryPolicy retry{static_cast<int>(config.pipeline.maxAttempts),
                              config.pipeline.retryBaseMs * 1000,
                              config.pipeline.retryMaxMs * 1000,
                              {}};
  pipeline::Processor processor(store, clock, metrics, {static_cast<int>(config.pipeline.batchSize), retry});
  pipeline::Worker worker(
      processor, logger,
      {std::chrono::milliseconds(config.pipeline.pollIntervalMs), config.pipeline.shareWhileIngesting});
  std::function<void()> wakePipeline = [&worker, enabled = config.pipeline.enabled] {
    if (enabled) worker.wake();
  };
  std::function<void(std::size_t)> intakeCommitted = [&worker, enabled = config.pipeline.enabled](std::size_t n) {
    if (enabled) worker.intakeCommitted(n);
  };
  store::IntakeQueue intake(store, {config.intake.maxPending, config.intake.maxBatch, intakeCommitted}, metrics);
  if (config.pipeline.enabled) worker.start();

  ingest::SecretResolver secrets(
      {{"github", config.github.secrets}, {"gitlab", config.gitlab.secrets}, {"gitea", config.gitea.secrets}});
  auto reloadSecrets = [&] {
    if (auto stored = store.loadSecrets())
      secrets.replaceStored(*stored);
    else
      logger.error("cannot load stored secrets", {{"error", stored.error().message}});
  };
  reloadSecrets();
  ingest::RateLimiter limiter(config.limits.ratePerSecond, config.limits.rateBurst, clock);

  const auto github = ingest::makeGitHubScheme(config.github);
  const auto gitlab = ingest::makeGitLabScheme(config.gitlab);
  const auto gitea = ingest::makeGiteaScheme(config.gitea);
  std::vector<std::unique_ptr<ingest::WebhookEndpoint>> endpoints;
  http::Router router;
  for (const ingest::ForgeScheme* scheme : {github.get(), gitlab.get(), gitea.get()}) {
    auto& endpoint =
        endpoints.emplace_back(std::make_unique<ingest::WebhookEndpoint>(ingest::WebhookEndpoint::Dependencies{
            *scheme, secrets, intake, limiter, clock, metrics, config.store.compressionLevel}));
    router.add({"POST", "/webhooks/" + std::string(scheme->forge()), "", config.server.maxBodyBytes, false, true,
                [e = endpoint.get()](http::Request&& r, http::Reply reply) { e->handle(std::move(r), reply); }});
  }

  api::DeliveriesApi deliveriesApi(store, clock);
  api::SecretsApi secretsApi(store, reloadSecrets);
  const std::string& token = config.adminToken;
  auto sync = [](auto f) { return [f](http::Request&& r, http::Reply reply) { reply(f(r)); }; };
  router.add({"GET", "/healthz", "", 0, false, false, sync([](const http::Request&) { return api::healthz(); })});
  router.add({"GET", "/readyz", "", 0, true, false, sync([&](const http::Request&) { return api::readyz(store); })});
  router.add(
      {"GET", "/metrics", "", 0, false, false, sync([&](const http::Request&) { return api::metricsText(metrics); })});
  router.add({"GET", "/api/v1/deliveries", "", 0, true, false,
              api::adminHandler(token, [&](const http::Request& r) { return deliveriesApi.list(r); })});
  router.add({"GET", "/api/v1/deliveries/*", "/api/v1/deliveries/{id}", 0, true, false,
              api::adminHandler(token, [&](const http::Request& r) { return deliveriesApi.show(r); })});
  api::ModelApi modelApi(store, clock, wakePipeline);
  for (const char* resource : {"pulls", "reviews", "issues", "items", "runs", "incidents", "releases", "branches",
                               "milestones", "deployments", "repositories", "activity"}) {
    router.add({"GET", std::string("/api/v1/") + resource, "", 0, true, false,
                api::adminHandler(token, [&modelApi, name = std::string(resource)](const http::Request& r) {
                  return modelApi.list(r, name);
                })});
  }
  auto model = [&](http::Response (api::ModelApi::*method)(const http::Request&) const) {
    return api::adminHandler(token, [&modelApi, method](const http::Request& r) { return (modelApi.*method)(r); });
  };
  router.add({"POST", "/api/v1/items", "", kApiBodyLimit, true, false, model(&api::ModelApi::createItem)});
  router.add({"GET", "/api/v1/items/*", "/api/v1/items/{id}", 0, true, false, model(&api::ModelApi::getItem)});
  router.add({"PATCH", "/api/v1/items/*", "/api/v1/items/{id}", kApiBodyLimit, true, false,
              model(&api::ModelApi::updateItem)});
  router.add({"DELETE", "/api/v1/items/*", "/api/v1/items/{id}", 0, true, false, model(&api::ModelApi::deleteItem)});
  router.add({"POST", "/api/v1/incidents/*", "/api/v1/incidents/{id}/ack", kApiBodyLimit, true, false,
              model(&api::ModelApi::acknowledgeIncident)});
  router.add({"POST", "/api/v1/deliveries/*", "/api/v1/deliveries/{id}/replay", 0, true, false,
              model(&api::ModelApi::replayOne)});
  router.add({"POST", "/api/v1/replay", "", kApiBodyLimit, true, false, model(&api::ModelApi::replay)});
  router.add({"POST", "/api/v1/rebuild", "", 0, true, false, model(&api::ModelApi::rebuild)});
  api::ActivityMetricsApi activityMetrics(store, clock);
  auto metricsRoute = [&](const char* path,
                          http::Response (api::ActivityMetricsApi::*method)(const http::Request&) const) {
    router.add(
        {"GET", path, "", 0, true, false, api::adminHandler(token, [&activityMetrics, method](const http::Request& r) {
           return (activityMetrics.*method)(r);
         })});
  };
  metricsRoute("/api/v1/metrics/status", &api::ActivityMetricsApi::status);
  metricsRoute("/api/v1/metrics/pulls", &api::ActivityMetricsApi::pulls);
  metricsRoute("/api/v1/metrics/sprint", &api::ActivityMetricsApi::sprint);
  metricsRoute("/api/v1/metrics/health", &api::ActivityMetricsApi::health);
  router.add({"GET", "/api/v1/secrets", "", 0, true, false,
              api::adminHandler(token, [&](const http::Request& r) { return secretsApi.list(r); })});
  router.add({"PUT", "/api/v1/secrets/*", "/api/v1/secrets/{scope}", kApiBodyLimit, true, false,
              api::adminHandler(token, [&](const http::Request& r) { return secretsApi.put(r); })});
  router.add({"DELETE", "/api/v1/secrets/*", "/api/v1/secrets/{scope}", 0, true, false,
              api::adminHandler(token, [&](const http::Request& r) { return secretsApi.remove(r); })});

  http::HttpServer server(serverOptions(config), router, metrics, logger);
  const std::string address = server.start();
  writeAddressFile(config.dataDir, address);
  printBanner(address, githubSecret ? &*githubSecret : nullptr, adminToken ? &*adminToken : nullptr, config.dataDir,
              options.showSecrets);
  logger.info("started", {{"address", address}, {"data_dir", config.dataDir}});

  int signal = 0;
  sigwait(&stopSignals, &signal);
  logger.info("stopping", {{"signal", signal}});
  server.stop(std::chrono::seconds(10));
  intake.stop();
  worker.stop();
  removeAddressFile(config.dataDir);
  logger.info("stopped");
  return 0;
}

}  // namespace forgehook::app
