#pragma once
// The change feed's records of the list resources, on PostgreSQL, inside the caller's transaction:
// as the SQLite store's ChangeRecorder, the rows a piece of work may touch (store/change_targets.h)
// are read before it is applied and again after, and each row that appeared, changed or vanished
// becomes one record with the row as the API shows it (store/resource_sql.h, PostgreSQL's SQL). The
// records wait in take() until the caller appends them last before its COMMIT (pg_change_log.h),
// so the counter's lock is held only for the commit.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/activity.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_connection.h"
#include "store/resources.h"

namespace forgehook::store::postgres {

class PgChangeRecorder {
 public:
  explicit PgChangeRecorder(PgConnection& conn) : conn_(conn) {}

  // Watches the rows the records of `delivery` may change (reads them now, before they are applied).
  [[nodiscard]] core::Result<void> watch(const ProcessedDelivery& delivery);
  // Watches the rows of `resource` that match `where` (SQL over the resource's aliases, ?N placeholders).
  [[nodiscard]] core::Result<void> watch(Resource resource, const std::string& where, std::vector<FieldValue> params);
  // Reads every watched row again, keeps a record for each difference and stops watching them.
  // On an error nothing of this call is kept (the caller rolls back).
  [[nodiscard]] core::Result<void> record(std::int64_t nowMicros);

  // The records kept so far, in order; the caller appends them (appendChanges) before COMMIT.
  [[nodiscard]] std::vector<PendingChange> take() { return std::exchange(pending_, {}); }

  // record(nowMicros), then appends what it kept (appendChanges): for work that records nothing
  // else; last before COMMIT. Errors: as record and appendChanges.
  [[nodiscard]] core::Result<void> recordAndAppend(std::int64_t nowMicros);

 private:
  struct Row {
    std::string forge, repository, json;
  };
  struct Watched {
    Resource resource;
    std::string where;  // $N placeholders
    std::vector<FieldValue> params;
    std::map<std::int64_t, Row> before;
  };
  core::Result<std::map<std::int64_t, Row>> read(const Watched& w);

  PgConnection& conn_;
  std::vector<Watched> watched_;
  std::vector<PendingChange> pending_;
};

}  // namespace forgehook::store::postgres
