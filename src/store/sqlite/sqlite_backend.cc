#include "store/sqlite/sqlite_backend.h"

#include <stdexcept>

#include "store/sqlite/activity_reader.h"
#include "store/sqlite/body_retention.h"
#include "store/sqlite/change_feed.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/command_run_store.h"
#include "store/sqlite/connection_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/database_check.h"
#include "store/sqlite/delivery_log.h"
#include "store/sqlite/metrics_reader.h"
#include "store/sqlite/planning_store.h"
#include "store/sqlite/processing_queue.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/secret_resealer.h"
#include "store/sqlite/secret_store.h"
#include "store/sqlite/session_store.h"
#include "store/sqlite/subscription_store.h"
#include "store/sqlite/token_store.h"
#include "store/store_unusable.h"

namespace forgehook::store::sqlite {
namespace {


// Members in order of construction: the database first, so every role's statements are finalized
// before its connections close.
class SqliteBackend final : public Backend {
 public:
  SqliteBackend(SqliteOptions options, const SecretSealer& sealer)
      : db_(std::move(options)),
        changes_(db_.writeConnection()),
        deliveries_(db_, changes_),
        secrets_(db_, sealer),
        queue_(db_, changes_),
        reader_(db_),
        planning_(db_, changes_),
        metrics_(db_),
        feed_(db_),
        tokens_(db_),
        sessions_(db_),
        subscriptions_(db_, sealer),
        resealer_(db_, sealer),
        connections_(db_, sealer),
        bodies_(db_),
        commands_(db_, changes_) {}

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
  Leadership& leadership() override { return soleNode_; }

 private:
  Database db_;
  ChangeRecorder changes_;  // the writers' one recorder of the change feed, on the write connection
  SqliteDeliveryLog deliveries_;
  SqliteSecretStore secrets_;
  SqliteProcessingQueue queue_;
  SqliteActivityReader reader_;
  SqlitePlanningStore planning_;
  SqliteMetricsReader metrics_;
  SqliteChangeFeed feed_;
  SqliteTokenStore tokens_;
  SqliteSessionStore sessions_;
  SqliteSubscriptionStore subscriptions_;
  SqliteSecretResealer resealer_;
  SqliteConnectionStore connections_;
  SqliteBodyRetention bodies_;
  SqliteCommandRunStore commands_;
  SoleNode soleNode_;  // one process per SQLite file
};

}  // namespace

std::unique_ptr<Backend> openSqliteBackend(SqliteOptions options) {
  if (options.sealer == nullptr) throw std::invalid_argument("openSqliteBackend: no secret sealer given");
  const SecretSealer& sealer = *options.sealer;
  const std::string path = options.path;
  const bool checked = options.quickCheck;
  try {
    return std::make_unique<SqliteBackend>(std::move(options), sealer);
  } catch (const StoreUnusable&) {
    throw;
  } catch (const std::runtime_error&) {
    // A failure to open, migrate or prepare may be damage: say so when quick_check finds it.
    if (!checked) checkDatabaseFile(path, newestSchemaVersion(), true);
    throw;
  }
}

}  // namespace forgehook::store::sqlite
