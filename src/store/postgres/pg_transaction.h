#pragma once
// Work on one leased connection of the pool, as the SQLite store's Database gives it to its role
// classes: pgTransaction is Database::write (BEGIN ... COMMIT, rolled back on any failure) and
// pgRead is Database::read (statements on one connection, each seeing what committed before it).
// An exception thrown by the work (a value that does not decode) becomes an error as there:
// Internal in a transaction, Unavailable in a read.
#include <exception>
#include <string>
#include <type_traits>

#include "core/error.h"
#include "store/postgres/pg_pool.h"

namespace forgehook::store::postgres {

// How long COMMIT waits. Durable: until the server's disk has the transaction (the connections'
// synchronous_commit = on). Relaxed: not for the disk (SET LOCAL synchronous_commit = off), as
// SQLite's Database::Sync::Relaxed: other sessions see it at once, and a crash of the database
// server may lose the last such commits, never one that a durable commit after it depended on (the
// log is flushed in order). Only for work that at-least-once allows to happen again.
enum class PgCommit { Durable, Relaxed };

// For work of many statements: a failed one throws this (pgMust), and pgTransaction rolls back and
// returns its error, as if the work had returned it.
struct PgStatementFailed {
  core::Error error;
};
inline PgResult pgMust(core::Result<PgResult> r) {
  if (!r) throw PgStatementFailed{r.error()};
  return std::move(*r);
}
inline void pgMust(const core::Result<void>& r) {
  if (!r) throw PgStatementFailed{r.error()};
}

// Runs `work(PgConnection&)`, which returns a core::Result, between BEGIN and COMMIT on one leased
// connection; rolls back when it returns an error, throws, or the COMMIT fails. Errors: as
// PgPool::lease and PgConnection::exec; work's own (PgStatementFailed's too); Internal for another
// exception.
template <class Work>
[[nodiscard]] auto pgTransaction(PgPool& pool, Work&& work, PgCommit commit = PgCommit::Durable)
    -> std::invoke_result_t<Work&, PgConnection&> {
  using Result = std::invoke_result_t<Work&, PgConnection&>;
  auto lease = pool.lease();
  if (!lease) return std::unexpected(lease.error());
  auto& conn = **lease;
  Result result = [&]() -> Result {
    try {
      auto begun = conn.exec(commit == PgCommit::Relaxed ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN");
      if (!begun) return std::unexpected(begun.error());
      Result done = work(conn);
      if (!done) return done;
      if (auto committed = conn.exec("COMMIT"); !committed) return std::unexpected(committed.error());
      return done;
    } catch (const PgStatementFailed& failed) {
      return std::unexpected(failed.error);
    } catch (const std::exception& e) {
      return std::unexpected(core::Error::internal(std::string("store write failed: ") + e.what()));
    }
  }();
  if (!result && conn.usable() && conn.inTransaction()) (void)conn.exec("ROLLBACK");
  return result;
}

// Runs `work(PgConnection&)` on one leased connection, outside a transaction. Errors: as
// PgPool::lease; work's own; Unavailable "store_unavailable" for an exception.
template <class Work>
[[nodiscard]] auto pgRead(PgPool& pool, Work&& work) -> std::invoke_result_t<Work&, PgConnection&> {
  try {
    auto lease = pool.lease();
    if (!lease) return std::unexpected(lease.error());
    return work(**lease);
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

}  // namespace forgehook::store::postgres
