#include "app/pg_table_writer.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_text.h"

namespace forgehook::app {
namespace {

using store::postgres::PgParam;

constexpr std::size_t kMaxBatchRows = 500;
// PostgreSQL takes at most 65535 parameters per statement.
constexpr std::size_t kMaxBatchParams = 60'000;
// A batch of large bodies is sent before this many bytes are queued, however few rows it has.
constexpr std::size_t kMaxBatchBytes = 8u << 20;

}  // namespace

PgTableWriter::PgTableWriter(store::postgres::PgConnection& conn, const TableCopy& copy)
    : conn_(conn),
      copy_(copy),
      batchRows_(
          std::clamp<std::size_t>(kMaxBatchParams / std::max<std::size_t>(copy.columns.size(), 1), 1, kMaxBatchRows)),
      fullBatchSql_(insertSql(batchRows_)) {}

std::string PgTableWriter::insertSql(std::size_t rows) const {
  std::string sql = "INSERT INTO " + quotedIdentifier(copy_.table) + " (";
  for (std::size_t c = 0; c < copy_.columns.size(); ++c) sql += (c ? ", " : "") + quotedIdentifier(copy_.columns[c]);
  sql += ")";
  // The identity columns keep the copied values (required for GENERATED ALWAYS ones).
  if (!copy_.identities.empty()) sql += " OVERRIDING SYSTEM VALUE";
  sql += " VALUES ";
  std::size_t param = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < copy_.columns.size(); ++c) sql += (c ? ", $" : "$") + std::to_string(++param);
    sql += ")";
  }
  return sql;
}

void PgTableWriter::add(SqlRow&& row) {
  if (row.size() != copy_.columns.size())
    throw std::logic_error("table " + copy_.table + ": a row of " + std::to_string(row.size()) + " values for " +
                           std::to_string(copy_.columns.size()) + " columns");
  for (std::size_t c = 0; c < row.size(); ++c) {
    if (!row[c]) continue;
    // Text as the PostgreSQL store itself writes it (pg_text.h): SQLite keeps any bytes (a NUL,
    // an answer excerpt cut inside a character), which PostgreSQL's text refuses.
    if (!copy_.bytea[c]) {
      auto storable = store::postgres::storableText(*row[c]);
      if (storable != *row[c]) {
        ++replacedTexts_;
        *row[c] = std::move(storable);
      }
    }
    queuedBytes_ += row[c]->size();
  }
  queued_.push_back(std::move(row));
  if (queued_.size() == batchRows_ || queuedBytes_ >= kMaxBatchBytes) send();
}

void PgTableWriter::finish() {
  if (!queued_.empty()) send();
}

void PgTableWriter::send() {
  std::vector<PgParam> params;
  params.reserve(queued_.size() * copy_.columns.size());
  for (auto& row : queued_)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (!row[c])
        params.emplace_back(std::nullopt);
      else if (copy_.bytea[c])
        params.push_back(PgParam::bytes(std::move(*row[c])));
      else
        params.emplace_back(std::move(*row[c]));
    }
  const auto sql = queued_.size() == batchRows_ ? fullBatchSql_ : insertSql(queued_.size());
  auto inserted = conn_.exec(sql, params);
  if (!inserted)
    throw std::runtime_error("copying table " + copy_.table + " (rows " + std::to_string(rows_ + 1) + " to " +
                             std::to_string(rows_ + static_cast<std::int64_t>(queued_.size())) +
                             "): " + inserted.error().message);
  rows_ += static_cast<std::int64_t>(queued_.size());
  queued_.clear();
  queuedBytes_ = 0;
}

}  // namespace forgehook::app
