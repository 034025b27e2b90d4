#pragma once
// Rows into one PostgreSQL table for `forgehook migrate-store`: multi-row INSERTs of a few hundred
// rows (or a few MiB) each, parameters bound, on a connection the caller holds in a transaction.
// Not thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "app/store_copy_plan.h"

namespace forgehook::store::postgres {
class PgConnection;
}

namespace forgehook::app {

class PgTableWriter {
 public:
  // Requires: `conn` outlives the writer. Identity columns of `copy` are given explicitly
  // (OVERRIDING SYSTEM VALUE).
  PgTableWriter(store::postgres::PgConnection& conn, const TableCopy& copy);

  // Queues one row (a value per column of the copy, in its order) and sends the batch once full.
  // Throws std::runtime_error naming the table when PostgreSQL refuses a batch.
  void add(SqlRow&& row);
  // Sends what is queued. Throws as add().
  void finish();

  [[nodiscard]] std::int64_t rows() const { return rows_; }
  // Text values that held bytes PostgreSQL's text refuses (a NUL, invalid UTF-8), copied with
  // U+FFFD in their place as the PostgreSQL store writes them.
  [[nodiscard]] std::int64_t replacedTexts() const { return replacedTexts_; }

 private:
  [[nodiscard]] std::string insertSql(std::size_t rows) const;
  void send();

  store::postgres::PgConnection& conn_;
  const TableCopy& copy_;
  std::size_t batchRows_;
  std::string fullBatchSql_;  // the INSERT of batchRows_ rows, built once
  std::vector<SqlRow> queued_;
  std::size_t queuedBytes_ = 0;
  std::int64_t rows_ = 0;
  std::int64_t replacedTexts_ = 0;
};

}  // namespace forgehook::app
