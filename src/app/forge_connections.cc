#include "app/forge_connections.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "forge/client_factory.h"
#include "forge/connection_scheduler.h"
#include "forge/credential_clients.h"
#include "forge/curl_forge_http.h"
#include "forge/hook_manager.h"
#include "forge/poller.h"
#include "forge/rate_budget_registry.h"
#include "forge/reconciler.h"

namespace forgehook::app {

struct ForgeConnections::Parts {
  Parts(const core::Config& config, store::Backend& store, store::Leadership& leadership, store::IntakeQueue& intake,
        const core::Clock& clock, const core::Logger& logger, std::function<void()> secretsChanged)
      : http(std::make_shared<forge::CurlForgeHttp>(
            forge::CurlForgeHttpOptions{std::min<std::int64_t>(5000, config.forges.apiTimeoutMs),
                                        config.forges.apiTimeoutMs, 32 * 1024 * 1024})),
        // One budget per credential for the whole process, however many clients are made.
        budgets(std::make_shared<forge::RateBudgetRegistry>(clock, [this](std::int64_t ms) { sleep(ms); })),
        clients(store.connectionStore(),
                [this, &clock, &config](const store::ForgeCredentialRecord& r)
                    -> core::Result<std::shared_ptr<forge::ForgeClient>> {
                  const auto credential = forge::credentialFromRecord(r);
                  if (auto ok = forge::validateForgeCredential(credential); !ok) return std::unexpected(ok.error());
                  forge::ClientOptions options;
                  options.maxRateLimitWaitMs = config.forges.maxRateWaitS * 1000;
                  options.budgets = budgets;
                  options.sleeper = [this](std::int64_t ms) { sleep(ms); };
                  return std::shared_ptr<forge::ForgeClient>(forge::makeForgeClient(credential, http, clock, options));
                }),
        hooks(store.connectionStore(), store.deliveryLog(), clients, clock, logger,
              {config.forges.publicUrl, config.forges.secretGraceS, 10'000}, secretsChanged,
              [this](const std::string& url) -> core::Result<int> {
                auto answer = http->send({"GET", url, {}, ""});
                if (!answer) return std::unexpected(answer.error());
                return answer->status;
              }),
        reconciler(store.connectionStore(), store.deliveryLog(), clients, clock, logger,
                   {config.forges.reconcileWindowS, 900, 600, 3, 1000}),
        poller(store.connectionStore(), clients,
               [&intake](store::NewDelivery d) -> core::Result<void> {
                 // Durable before the poller moves past the event: wait for the commit.
                 auto done = std::make_shared<std::promise<core::Result<store::AppendOutcome>>>();
                 auto committed = done->get_future();
                 if (auto queued = intake.submit(std::move(d), [done](core::Result<store::AppendOutcome> r) {
                       done->set_value(std::move(r));
                     });
                     !queued)
                   return std::unexpected(queued.error());
                 auto result = committed.get();
                 if (!result) return std::unexpected(result.error());
                 return {};
               },
               clock, logger, {config.store.compressionLevel, config.forges.pollMinIntervalS}),
        scheduler(store.connectionStore(), hooks, reconciler, poller, clock, logger,
                  {config.forges.reconcileIntervalS, 600, 1000, &leadership}),
        services{hooks, reconciler, poller, clients,
                 [this, secretsChanged] {
                   clients.credentialsChanged();
                   secretsChanged();  // a GitHub App's webhook secret is one of them
                 },
                 [this] { return clients.budgets(); }} {}

  // A wait for a rate-limit reset that stop() cuts short, so shutting down never waits for a reset.
  void sleep(std::int64_t ms) {
    std::unique_lock lock(sleepMutex);
    sleepWake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
  }
  void stop() {
    {
      std::lock_guard guard(sleepMutex);
      stopping = true;
    }
    sleepWake.notify_all();
    scheduler.stop();
  }

  std::mutex sleepMutex;
  std::condition_variable sleepWake;
  bool stopping = false;
  std::shared_ptr<forge::CurlForgeHttp> http;
  std::shared_ptr<forge::RateBudgetRegistry> budgets;
  forge::CredentialClients clients;
  forge::HookManager hooks;
  forge::Reconciler reconciler;
  forge::Poller poller;
  forge::ConnectionScheduler scheduler;
  api::ForgeServices services;
};

ForgeConnections::ForgeConnections(const core::Config& config, store::Backend& store, store::Leadership& leadership,
                                   store::IntakeQueue& intake, const core::Clock& clock, const core::Logger& logger,
                                   std::function<void()> secretsChanged)
    : parts_(std::make_unique<Parts>(config, store, leadership, intake, clock, logger, std::move(secretsChanged))) {}

ForgeConnections::~ForgeConnections() { stop(); }

const api::ForgeServices& ForgeConnections::services() const { return parts_->services; }

void ForgeConnections::start() { parts_->scheduler.start(); }

void ForgeConnections::stop() { parts_->stop(); }

}  // namespace forgehook::app
