#pragma once
// A few PostgreSQL connections shared by the threads of one node: each caller leases one for a
// statement or a transaction and gives it back. Connections open lazily, up to `size`; a lost one
// is dropped when it comes back, and the next lease opens a new one, so a restarted database
// costs the requests in flight, not the node.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "store/postgres/pg_connection.h"

namespace forgehook::store::postgres {

class PgPool {
 public:
  PgPool(PgSettings settings, int size);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
    Lease(const Lease&) = delete;
    ~Lease();
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    friend class PgPool;
    Lease(PgPool& pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    PgPool& pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // Waits while every connection is leased. Errors: as PgConnection::open.
  [[nodiscard]] core::Result<Lease> lease();

  // One statement on a leased connection (its own transaction). Errors: as lease() and exec.
  [[nodiscard]] core::Result<PgResult> exec(const std::string& sql, const std::vector<PgParam>& params = {});

 private:
  void giveBack(std::unique_ptr<PgConnection> conn);

  const PgSettings settings_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // leased and idle
};

}  // namespace forgehook::store::postgres
