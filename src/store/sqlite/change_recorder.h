#pragma once
// Writes the change feed (store/change_feed.h) inside the caller's write transaction: the rows a
// piece of work may touch are read before it is applied and again after, and each row that
// appeared, changed or vanished becomes one change record with the row as the API shows it. So a
// record exists exactly when its write committed, derived values (a pull request's review time, a
// planned item's status) are included, and a write that changes nothing (a redelivery, an older
// version) records nothing. Not thread-safe: used under the database's write lock only.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/activity.h"
#include "store/delivery.h"
#include "store/resources.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

class ChangeRecorder {
 public:
  explicit ChangeRecorder(sqlite3* writeDb);

  // Watches the rows the records of `delivery` may change (reads them now, before they are applied).
  void watch(const ProcessedDelivery& delivery);
  // Watches the rows of `resource` that match `where` (SQL over the resource's aliases, ?N placeholders).
  void watch(Resource resource, std::string where, std::vector<FieldValue> params);
  // Reads every watched row again, appends a change for each difference and stops watching them.
  // Returns SQLITE_DONE, or the SQLite error.
  int record(std::int64_t nowMicros);
  // Stops watching without recording (the work was undone).
  void forget() { watched_.clear(); }
  // Forgets on scope exit what was watched and not recorded: the transaction failed or threw.
  struct Scope {
    ChangeRecorder& recorder;
    ~Scope() { recorder.forget(); }
  };
  // While a rebuild re-creates the projections, nothing is recorded row by row: a reset point
  // before and after it tells readers to refetch instead (recordReset). Muted for the scope's life
  // when `mute` is true; watch and every record* except recordReset then do nothing.
  class Muted {
   public:
    Muted(ChangeRecorder& recorder, bool mute) : recorder_(recorder), was_(recorder.muted_) {
      recorder_.muted_ = was_ || mute;
    }
    ~Muted() { recorder_.muted_ = was_; }
    Muted(const Muted&) = delete;
    Muted& operator=(const Muted&) = delete;

   private:
    ChangeRecorder& recorder_;
    bool was_;
  };
  // A reset point of the feed (`reason`: "rebuild_started", "rebuild_finished", "rebuild_resumed"):
  // takes the next seq without a record, so a reader that resumes from before it is told to
  // refetch. Never muted.
  int recordReset(const char* reason, std::int64_t nowMicros);

  // The row `rowId` of `resource`, just inserted, recorded as "created".
  int recordCreated(Resource resource, std::int64_t rowId, std::int64_t nowMicros);

  // Deliveries matching `filter` are about to be queued again: one change each whose status changes.
  int recordRequeued(const DeliveryFilter& filter, std::int64_t nowMicros);
  // A delivery's row changed status ("created" at intake, "updated" when processed or requeued).
  int recordDelivery(std::int64_t deliveryId, const char* action, std::int64_t nowMicros);
  // A delivery just appended (id `deliveryId`, first attempt, queued) recorded as "created", its
  // summary built from what the writer has instead of read back: intake's share of the feed.
  int recordNewDelivery(std::int64_t deliveryId, const NewDelivery& d);

 private:
  struct Row {
    std::string forge, repository, json;
  };
  struct Watched {
    Resource resource;
    std::string where;
    std::vector<FieldValue> params;
    std::map<std::int64_t, Row> before;
  };
  int read(const Watched& w, std::map<std::int64_t, Row>& out);
  int insertDelivery(std::int64_t at, const char* action, std::int64_t id, const std::string& forge,
                     const std::string& repository, const std::string& json);

  sqlite3* db_;
  bool muted_ = false;
  std::vector<Watched> watched_;
  // read()'s statements by resource and condition: their SQL (the row's whole json_object, 2 KB for
  // a pull request) was built and compared as the key on every read.
  std::map<std::pair<Resource, std::string>, std::unique_ptr<Statement>, std::less<>> reads_;
  Statement insert_, delivery_, dropRecord_, insertReset_;
};

}  // namespace forgehook::store::sqlite
