#pragma once
// One storage backend: the roles forgehook is written against, all served by one database. SQLite
// (store/sqlite/) is the embedded default; PostgreSQL will be another Backend. Only the composition
// root (app/) creates one; everything else takes the one role it needs. A new role (a change feed,
// an outbox) is a new interface here and one class per backend.
#include "store/activity_reader.h"
#include "store/body_retention.h"
#include "store/change_feed.h"
#include "store/command_run_store.h"
#include "store/connection_store.h"
#include "store/delivery_log.h"
#include "store/leadership.h"
#include "store/metrics_reader.h"
#include "store/planning_store.h"
#include "store/processing_queue.h"
#include "store/secret_resealer.h"
#include "store/secret_store.h"
#include "store/session_store.h"
#include "store/subscription_store.h"
#include "store/token_store.h"

namespace forgehook::store {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual DeliveryLog& deliveryLog() = 0;
  virtual SecretStore& secretStore() = 0;
  virtual ProcessingQueue& processingQueue() = 0;
  virtual ActivityReader& activityReader() = 0;
  virtual PlanningStore& planningStore() = 0;
  virtual MetricsReader& metricsReader() = 0;
  virtual ChangeFeed& changeFeed() = 0;
  virtual TokenStore& tokenStore() = 0;
  virtual SessionStore& sessionStore() = 0;
  virtual SubscriptionStore& subscriptionStore() = 0;
  virtual ConnectionStore& connectionStore() = 0;
  virtual SecretResealer& secretResealer() = 0;
  virtual BodyRetention& bodyRetention() = 0;
  virtual CommandRunStore& commandRunStore() = 0;
  // Which periodic jobs this node runs (all of them when it is the only node).
  virtual Leadership& leadership() = 0;
};

}  // namespace forgehook::store
