#include "store/postgres/pg_node_lock.h"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace forgehook::store::postgres {
namespace {

PgConnection connect(const PgSettings& settings) {
  auto conn = PgConnection::open(settings);
  if (!conn) throw std::runtime_error(conn.error().message);  // "cannot connect to PostgreSQL: ..."
  return std::move(*conn);
}

}  // namespace

PgNodeLock::PgNodeLock(const PgSettings& settings, const std::string& node, int waitMs) : conn_(connect(settings)) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
  for (;;) {
    auto taken = conn_.exec(std::string("SELECT pg_try_advisory_lock(") + kNodeLockClass + ", hashtext($1))", {node});
    if (!taken) throw std::runtime_error("cannot take this node's lock in the PostgreSQL store: " + taken.error().message);
    if (taken->text(0, 0) == "t") return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("another forgehook node named \"" + node +
                               "\" is running on this PostgreSQL store: give each node its own store.postgres.node "
                               "(or data_dir, which the default name includes)");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace forgehook::store::postgres
