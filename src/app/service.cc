#include "app/service.h"

#include <malloc.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "api/api_routes.h"
#include "app/data_dir.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "http/server.h"
#include "ingest/webhook_endpoint.h"
#include "pipeline/processor.h"
#include "pipeline/worker.h"
#include "store/intake_queue.h"
#include "store/sqlite/sqlite_backend.h"
#include "verify/standard_webhooks.h"

namespace forgehook::app {
namespace {

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
  const auto store = store::sqlite::openSqliteBackend(
      {config.dataDir + "/forgehook.db", config.store.synchronous == "full", config.store.maxBytes});
  pipeline::RetryPolicy retry{static_cast<int>(config.pipeline.maxAttempts),
                              config.pipeline.retryBaseMs * 1000,
                              config.pipeline.retryMaxMs * 1000,
                              {}};
  pipeline::Processor processor(store->processingQueue(), clock, metrics,
                                {static_cast<int>(config.pipeline.batchSize), retry});
  // Without pipeline.enabled the worker is never started: its wake-ups then change nothing.
  pipeline::Worker worker(
      processor, logger,
      {std::chrono::milliseconds(config.pipeline.pollIntervalMs), config.pipeline.shareWhileIngesting});
  store::IntakeQueue intake(store->deliveryLog(), {config.intake.maxPending, config.intake.maxBatch, &worker}, metrics);
  if (config.pipeline.enabled) worker.start();

  ingest::SecretResolver secrets(
      {{"github", config.github.secrets}, {"gitlab", config.gitlab.secrets}, {"gitea", config.gitea.secrets}});
  auto reloadSecrets = [&] {
    if (auto stored = store->secretStore().loadSecrets())
      secrets.replaceStored(*stored);
    else
      logger.error("cannot load stored secrets", {{"error", stored.error().message}});
  };
  reloadSecrets();
  ingest::RateLimiter limiter(config.limits.ratePerSecond, config.limits.rateBurst, clock);

  http::Router router;
  const auto github = ingest::makeGitHubScheme(config.github);
  const auto gitlab = ingest::makeGitLabScheme(config.gitlab);
  const auto gitea = ingest::makeGiteaScheme(config.gitea);
  std::vector<std::unique_ptr<ingest::WebhookEndpoint>> endpoints;
  for (const ingest::ForgeScheme* scheme : {github.get(), gitlab.get(), gitea.get()}) {
    auto& endpoint =
        endpoints.emplace_back(std::make_unique<ingest::WebhookEndpoint>(ingest::WebhookEndpoint::Dependencies{
            *scheme, secrets, intake, limiter, clock, metrics, config.store.compressionLevel}));
    router.add(
        {.method = "POST",
         .path = "/webhooks/" + std::string(scheme->forge()),
         .maxBodyBytes = config.server.maxBodyBytes,
         .webhook = true,
         .handler = [e = endpoint.get()](http::Request&& r, http::Reply reply) { e->handle(std::move(r), reply); }});
  }
  api::ApiRoutes api({*store, clock, metrics, config.adminToken, worker, reloadSecrets});
  for (auto& route : api.routes()) router.add(std::move(route));

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
