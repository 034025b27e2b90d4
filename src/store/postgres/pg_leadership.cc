#include "store/postgres/pg_leadership.h"

namespace forgehook::store::postgres {
namespace {

// The jobs' locks use the two-key form, with this first key ("fh" in ASCII), apart from the
// migrations' single bigint key; the second is the job name's hash.
constexpr const char* kJobLockClass = "26216";

}  // namespace

core::Result<bool> PgLeadership::lead(std::string_view job) {
  // A connection that is gone took its locks with it: this node leads nothing now.
  if (conn_ && (!conn_->usable() || !conn_->exec("SELECT 1"))) {
    conn_.reset();
    held_.clear();
  }
  if (!conn_) {
    auto opened = PgConnection::open(settings_);
    if (!opened) return std::unexpected(opened.error());
    conn_.emplace(std::move(*opened));
  }
  if (held_.contains(job)) return true;  // taken again, the lock would only count up
  auto taken =
      conn_->exec(std::string("SELECT pg_try_advisory_lock(") + kJobLockClass + ", hashtext($1))", {std::string(job)});
  if (!taken) return std::unexpected(taken.error());
  if (taken->text(0, 0) != "t") return false;
  held_.emplace(job);
  return true;
}

void PgLeadership::resign(std::string_view job) {
  const auto it = held_.find(job);
  if (it == held_.end()) return;
  held_.erase(it);
  if (conn_ && conn_->usable())
    (void)conn_->exec(std::string("SELECT pg_advisory_unlock(") + kJobLockClass + ", hashtext($1))", {std::string(job)});
}

}  // namespace forgehook::store::postgres
