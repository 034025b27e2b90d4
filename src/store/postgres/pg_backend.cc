#include "store/postgres/pg_backend.h"

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>

#include "store/postgres/pg_activity_reader.h"
#include "store/postgres/pg_body_retention.h"
#include "store/postgres/pg_change_feed.h"
#include "store/postgres/pg_command_run_store.h"
#include "store/postgres/pg_connection_store.h"
#include "store/postgres/pg_delivery_log.h"
#include "store/postgres/pg_key_check.h"
#include "store/postgres/pg_leadership.h"
#include "store/postgres/pg_metrics_reader.h"
#include "store/postgres/pg_node_lock.h"
#include "store/postgres/pg_planning_store.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_processing_queue.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_secret_resealer.h"
#include "store/postgres/pg_secret_store.h"
#include "store/postgres/pg_session_store.h"
#include "store/postgres/pg_subscription_store.h"
#include "store/postgres/pg_token_store.h"
#include "store/secret_sealer.h"

namespace forgehook::store::postgres {
namespace {

// Jobs led through session advisory locks (pg_leadership.h), asked from several threads. An answer
// is kept for a short while: the dispatcher and the command scheduler ask at every commit they
// hear of, and a round trip each would cost more than the work they then skip.
class PgJobLeadership final : public Leadership {
 public:
  explicit PgJobLeadership(PgSettings settings) : leadership_(std::move(settings)) {}
  bool leads(std::string_view job) override {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto it = known_.find(job);
    if (it == known_.end()) it = known_.emplace(std::string(job), Answer{}).first;
    auto& known = it->second;
    if (now < known.until) return known.leads;
    auto led = leadership_.lead(job);
    known = {led && *led, now + kKeepAnswer};
    return known.leads;
  }

 private:
  static constexpr std::chrono::milliseconds kKeepAnswer{500};
  struct Answer {
    bool leads = false;
    std::chrono::steady_clock::time_point until{};
  };
  std::mutex mutex_;
  PgLeadership leadership_;
  std::map<std::string, Answer, std::less<>> known_;
};

class PgBackend final : public Backend {
 public:
  PgBackend(const PostgresOptions& options, const PgSettings& settings, const SecretSealer& sealer,
            const std::string& node)
      : nodeLock_(settings, node),
        pool_(settings, options.poolSize),
        deliveries_(pool_),
        secrets_(pool_, sealer),
        queue_(pool_, node, options.claimLeaseMicros),
        reader_(pool_),
        planning_(pool_),
        metrics_(pool_),
        feed_(pool_, settings),
        tokens_(pool_),
        sessions_(pool_),
        subscriptions_(pool_, sealer),
        resealer_(pool_, sealer),
        connections_(pool_, sealer, settings),
        bodies_(pool_),
        commands_(pool_, node),
        leadership_(settings) {}

  DeliveryLog& deliveryLog() override { return deliveries_; }
  SecretStore& secretStore() override { return secrets_; }
  ProcessingQueue& processingQueue() override { return queue_; }
  ActivityReader& activityReader() override { return reader_; }
  PlanningStore& planningStore() override { return planning_; }
  MetricsReader& metricsReader() override { return metrics_; }
  ChangeFeed& changeFeed() override { return feed_; }
  TokenStore& tokenStore() override { return tokens_; }
  SessionStore& sessionStore() override { return sessions_; }
  SubscriptionStore& subscriptionStore() override { return subscriptions_; }
  SecretResealer& secretResealer() override { return resealer_; }
  ConnectionStore& connectionStore() override { return connections_; }
  BodyRetention& bodyRetention() override { return bodies_; }
  CommandRunStore& commandRunStore() override { return commands_; }
  Leadership& leadership() override { return leadership_; }

 private:
  PgNodeLock nodeLock_;  // first: held while this node runs, released last
  PgPool pool_;          // every role uses it
  PgDeliveryLog deliveries_;
  PgSecretStore secrets_;
  PgProcessingQueue queue_;
  PgActivityReader reader_;
  PgPlanningStore planning_;
  PgMetricsReader metrics_;
  PgChangeFeed feed_;
  PgTokenStore tokens_;
  PgSessionStore sessions_;
  PgSubscriptionStore subscriptions_;
  PgSecretResealer resealer_;
  PgConnectionStore connections_;
  PgBodyRetention bodies_;
  PgCommandRunStore commands_;
  PgJobLeadership leadership_;
};

}  // namespace

std::unique_ptr<Backend> openPostgresBackend(PostgresOptions options) {
  if (options.sealer == nullptr) throw std::invalid_argument("openPostgresBackend: no secret sealer given");
  const PgSettings settings{options.url, options.password};
  {
    auto conn = PgConnection::open(settings);
    if (!conn) throw std::runtime_error(conn.error().message);  // "cannot connect to PostgreSQL: ..."
    if (auto migrated = pgMigrate(*conn); !migrated) throw std::runtime_error(migrated.error().message);
    verifyMasterKey(*conn, *options.sealer);
  }
  if (options.node.empty()) throw std::invalid_argument("openPostgresBackend: no node name given");
  const std::string& node = options.node;
  return std::make_unique<PgBackend>(options, settings, *options.sealer, node);
}

}  // namespace forgehook::store::postgres
