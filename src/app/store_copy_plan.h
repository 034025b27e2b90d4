#pragma once
// What `forgehook migrate-store` copies: for each table both stores have, the SQLite SELECT that
// reads it and the PostgreSQL columns it fills, derived from the two schemas as they are and
// checked against the differences this forgehook knows (store/sqlite/schema.cc,
// store/postgres/pg_schema.cc). A difference it does not know (a column a migration added on one
// side only) stops the copy before anything is written instead of leaving data behind. Plain data:
// no database here.
#include <optional>
#include <string>
#include <vector>

namespace forgehook::app {

// One row's values as text (integers in decimal) or bytes (blobs); nullopt for NULL.
using SqlRow = std::vector<std::optional<std::string>>;

// A table of the SQLite store: its column names (PRAGMA table_info), in their order.
struct SqliteTableColumns {
  std::string name;
  std::vector<std::string> columns;
};

struct PgColumnInfo {
  std::string name;
  std::string type;       // information_schema.columns.data_type: "bigint", "text", "bytea" ...
  bool identity = false;  // GENERATED ... AS IDENTITY
};

// A table of the PostgreSQL store: its columns in their order.
struct PgTableColumns {
  std::string name;
  std::vector<PgColumnInfo> columns;
};

// One table's copy.
struct TableCopy {
  std::string table;
  std::vector<std::string> columns;     // PostgreSQL's, every one of them, in the SELECT's order
  std::vector<bool> bytea;              // per column: its values go as binary bytea
  std::string select;                   // SQLite: one value per column, rows in id (or rowid) order
  std::vector<std::string> identities;  // identity columns: set explicitly, their sequences moved past
};

// The copies in a valid order (a table before those referencing it: deliveries first). Tables and
// columns are matched by name; the known differences: SQLite's journal_state, body_segments and
// deliveries.body_segment/offset/length (the body journal; a self-contained copy has none of it in
// use), PostgreSQL's deliveries.queue_seq (the processing order: id - (max id + 1), below any seq
// the PostgreSQL store hands out), command_runs.runner (NULL: no node runs a copied run) and row_id
// (the list cursor: SQLite's rowid). Tables PostgreSQL
// has alone (forgehook_schema, change_counter, processing_claims) hold nothing of SQLite's: the
// caller sets or leaves them. Throws std::runtime_error naming every other difference: an SQLite
// table or column PostgreSQL lacks, a PostgreSQL column of a shared table SQLite lacks.
[[nodiscard]] std::vector<TableCopy> planStoreCopy(const std::vector<SqliteTableColumns>& sqlite,
                                                   const std::vector<PgTableColumns>& postgres);

// `name` as an SQL identifier, in double quotes (both databases read it so).
[[nodiscard]] std::string quotedIdentifier(const std::string& name);

}  // namespace forgehook::app
