#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

PgPool::PgPool(PgSettings settings, int size) : settings_(std::move(settings)), size_(size < 1 ? 1 : size) {}

PgPool::Lease::~Lease() {
  if (conn_) pool_.giveBack(std::move(conn_));
}

core::Result<PgPool::Lease> PgPool::lease() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++open_;  // a slot taken before connecting, outside the lock
  }
  auto opened = PgConnection::open(settings_);
  if (!opened) {
    std::lock_guard lock(mutex_);
    --open_;
    returned_.notify_one();
    return std::unexpected(opened.error());
  }
  return Lease(*this, std::make_unique<PgConnection>(std::move(*opened)));
}

core::Result<PgResult> PgPool::exec(const std::string& sql, const std::vector<PgParam>& params) {
  auto conn = lease();
  if (!conn) return std::unexpected(conn.error());
  return (*conn)->exec(sql, params);
}

void PgPool::giveBack(std::unique_ptr<PgConnection> conn) {
  // A transaction its user left open (an error path) is not handed to the next one.
  if (conn->usable() && conn->inTransaction()) (void)conn->exec("ROLLBACK");
  std::lock_guard lock(mutex_);
  if (conn->usable() && !conn->inTransaction())
    idle_.push_back(std::move(conn));
  else
    --open_;
  returned_.notify_one();
}

}  // namespace forgehook::store::postgres
