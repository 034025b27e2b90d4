#include "app/store_copy.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/pg_table_writer.h"
#include "app/sqlite_snapshot.h"
#include "app/store_copy_plan.h"
#include "core/config.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_schema.h"
#include "store/sqlite/schema_file.h"
#include "store/store_unusable.h"

namespace forgehook::app {
namespace {

namespace fs = std::filesystem;
using store::postgres::PgConnection;

// The directory holding `path` ("." for a bare file name).
std::string directoryOf(const std::string& path) {
  const auto dir = fs::path(path).parent_path();
  return dir.empty() ? "." : dir.string();
}

std::string sqlitePathFrom(const std::string& from) {
  constexpr std::string_view kScheme = "sqlite:";
  if (!from.starts_with(kScheme) || from.size() == kScheme.size())
    throw std::invalid_argument(
        "--from must be sqlite:PATH, PATH the SQLite store's forgehook.db (or its data directory)");
  std::string path = from.substr(kScheme.size());
  std::error_code ec;
  if (fs::is_directory(path, ec)) path = (fs::path(path) / "forgehook.db").string();
  return path;
}

// The URL is never repeated in a message: it may carry the password.
std::string postgresUrlFrom(const std::string& to) {
  if (to.starts_with("postgres://") || to.starts_with("postgresql://")) return to;
  constexpr std::string_view kScheme = "postgres:";
  if (!to.starts_with(kScheme) || to.size() == kScheme.size())
    throw std::invalid_argument(
        "--to must be postgres:URL, URL a libpq connection URL or string (postgres:postgresql://USER@HOST/DATABASE)");
  return to.substr(kScheme.size());
}

// Whether the file is a forgehook store this binary copies: its schema version, exactly.
std::int64_t checkSource(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw std::runtime_error("no SQLite store at " + path + " (--from sqlite:PATH names <data_dir>/forgehook.db)");
  // StoreUnusable: not SQLite, another application's, or a newer forgehook's.
  const auto versions = store::sqlite::readSchemaVersions(path);
  if (!versions.exists || versions.current == 0)
    throw store::StoreUnusable("cannot copy " + path + ": it is not a forgehook store (an empty database)");
  if (versions.current < versions.newest)
    throw std::runtime_error(path + " is at schema version " + std::to_string(versions.current) +
                             ", this forgehook copies version " + std::to_string(versions.newest) +
                             ": bring it up to date first with `forgehook migrate --data-dir " + directoryOf(path) +
                             "` (with store.backend = \"sqlite\"), then run migrate-store again");
  return versions.current;
}

store::postgres::PgConnection connect(const StoreCopyRequest& request) {
  core::Config::Store::Postgres target;
  target.url = postgresUrlFrom(request.to);
  target.password = request.password;
  target.passwordFile = request.passwordFile;
  auto conn = PgConnection::open(store::postgres::pgSettingsFrom(target));
  if (!conn) throw std::runtime_error(conn.error().message);
  return std::move(*conn);
}

store::postgres::PgResult run(PgConnection& conn, const std::string& sql,
                              const std::vector<store::postgres::PgParam>& params = {}) {
  auto result = conn.exec(sql, params);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

// The tables of `tables` holding a row, and the change feed's counter when it moved: what a
// forgehook serving this database would have left.
std::vector<std::string> tablesWithData(PgConnection& conn, const std::vector<std::string>& tables) {
  std::vector<std::string> out;
  for (const auto& table : tables) {
    if (table == "change_counter") {
      if (run(conn, "SELECT coalesce(max(seq), 0) FROM change_counter").integer(0, 0) != 0) out.push_back(table);
    } else if (run(conn, "SELECT EXISTS (SELECT 1 FROM " + quotedIdentifier(table) + ")").text(0, 0) == "t") {
      out.push_back(table);
    }
  }
  return out;
}

void refuseUsed(const std::vector<std::string>& used) {
  if (used.empty()) return;
  std::string names;
  for (const auto& t : used) names += (names.empty() ? "" : ", ") + t;
  throw std::runtime_error("the PostgreSQL database already holds forgehook data (in " + names +
                           "): migrate-store copies into an empty database only (CREATE DATABASE a new one)");
}

// Before anything is written: a database where forgehook's schema was applied must have no rows
// in its tables (a schema `forgehook migrate` created, with nothing in it, is fine).
void refuseUsedTarget(PgConnection& conn) {
  const auto status = store::postgres::pgSchemaStatus(conn);  // StoreUnusable: a newer forgehook's
  if (!status) throw std::runtime_error(status.error().message);
  if (status->current == 0) return;
  auto rows = run(conn,
                  "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND "
                  "table_type = 'BASE TABLE' AND table_name <> 'forgehook_schema' ORDER BY table_name");
  std::vector<std::string> tables;
  for (int i = 0; i < rows.rows(); ++i) tables.push_back(rows.text(i, 0));
  refuseUsed(tablesWithData(conn, tables));
}

std::vector<PgTableColumns> postgresTables(PgConnection& conn) {
  auto rows = run(conn,
                  "SELECT c.table_name, c.column_name, c.data_type, c.is_identity FROM information_schema.columns c "
                  "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                  "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                  "ORDER BY c.table_name, c.ordinal_position");
  std::vector<PgTableColumns> out;
  for (int i = 0; i < rows.rows(); ++i) {
    if (out.empty() || out.back().name != rows.text(i, 0)) out.push_back({rows.text(i, 0), {}});
    out.back().columns.push_back({rows.text(i, 1), rows.text(i, 2), rows.text(i, 3) == "YES"});
  }
  return out;
}

struct Copied {
  std::int64_t rows = 0, tables = 0, deliveries = 0;
};

// Copies every table of `plan` inside the caller's transaction, a line on `out` for each as it is
// done; sets the identity sequences past the copied ids and the change counter to the copied feed's
// newest seq.
Copied copyTables(const SqliteSnapshot& snapshot, PgConnection& conn, const std::vector<TableCopy>& plan,
                  std::int64_t newestSeq, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& table : plan) width = std::max(width, table.table.size());
  Copied copied;
  for (const auto& table : plan) {
    PgTableWriter writer(conn, table);
    snapshot.forEachRow(table.select, [&](SqlRow&& row) { writer.add(std::move(row)); });
    writer.finish();
    for (const auto& column : table.identities)
      // setval is strict: an empty table (max NULL) leaves its sequence at the start.
      run(conn,
          "SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max(" + quotedIdentifier(column) + ") FROM " +
              quotedIdentifier(table.table) + "))",
          {quotedIdentifier(table.table), column});
    out << "  " << table.table << std::string(width + 2 - table.table.size(), ' ') << writer.rows();
    if (writer.replacedTexts() > 0)
      out << "  (" << writer.replacedTexts() << " texts with bytes PostgreSQL refuses: U+FFFD in their place)";
    out << std::endl;
    copied.rows += writer.rows();
    copied.tables += 1;
    if (table.table == "deliveries") copied.deliveries = writer.rows();
  }
  if (run(conn, "UPDATE change_counter SET seq = $1 WHERE id = 1", {std::to_string(newestSeq)}).affected() != 1)
    throw std::runtime_error("the PostgreSQL store has no change counter row (change_counter id = 1)");
  return copied;
}

// Rolls back on every path out but a commit.
class Transaction {
 public:
  explicit Transaction(PgConnection& conn) : conn_(conn) { run(conn_, "BEGIN"); }
  ~Transaction() {
    if (open_ && conn_.usable()) (void)conn_.exec("ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    run(conn_, "COMMIT");
    open_ = false;
  }

 private:
  PgConnection& conn_;
  bool open_ = true;
};

// What the nodes need beside the database: the keys and generated secrets of the data directory.
void printNextSteps(std::ostream& out, const std::string& databasePath) {
  const fs::path dir = directoryOf(databasePath);
  std::error_code ec;
  out << "Stored secrets (per-hook and per-repository secrets, forge credentials, connection and subscription "
         "secrets) were copied sealed: every node on PostgreSQL needs the master key of this installation "
         "(FORGEHOOK_MASTER_KEY, or "
      << (dir / "master.key").string() << " copied into its data_dir).\n";
  std::string generated;
  for (const char* name : {"github_secret", "admin_token"})
    if (fs::exists(dir / name, ec)) generated += (generated.empty() ? "" : " and ") + (dir / name).string();
  if (!generated.empty())
    out << "Not in the store: " << generated
        << " (generated when the configuration sets none): give the nodes the same values.\n";
  out << "Next: stop the SQLite forgehook if it still runs (what it receives from now on is not copied), then start "
         "the nodes with store.backend = \"postgres\" and this database's URL.\n";
}

}  // namespace

int copyStoreToPostgres(const StoreCopyRequest& request, std::ostream& out) {
  const auto began = std::chrono::steady_clock::now();
  const std::string path = sqlitePathFrom(request.from);
  const auto version = checkSource(path);
  auto conn = connect(request);
  refuseUsedTarget(conn);

  const SqliteSnapshot snapshot(path, request.copyDir.empty() ? directoryOf(path) : request.copyDir);
  out << "read " << path << " as of one commit (schema version " << version << ", " << snapshot.deliveries()
      << " deliveries; a copy of " << snapshot.copyBytes() << " bytes with the journal's bodies, integrity_check ok)\n";
  // The backup moved every body into delivery_bodies; a row still pointing into the journal would
  // be copied without its body.
  if (snapshot.integer("SELECT count(*) FROM deliveries WHERE body_segment IS NOT NULL") != 0)
    throw std::runtime_error("the copy of " + path + " still keeps bodies in the body journal (a bug: report it)");

  auto applied = store::postgres::pgMigrate(conn);
  if (!applied) throw std::runtime_error(applied.error().message);
  if (!applied->empty())
    out << "created the PostgreSQL schema (versions " << applied->front().version << " to " << applied->back().version
        << ")\n";
  const auto plan = planStoreCopy(snapshot.tables(), postgresTables(conn));

  const std::int64_t newestSeq = snapshot.integer(
      "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0), "
      "coalesce((SELECT max(seq) FROM changes), 0), coalesce((SELECT max(seq) FROM change_resets), 0))");
  Copied copied;
  {
    Transaction transaction(conn);
    // A second migrate-store waits for the commit, then finds the data and refuses. (A node started
    // meanwhile is not kept out: its reads see the empty tables until the commit.)
    std::vector<std::string> tables{"change_counter", "processing_claims"};
    for (const auto& t : plan) tables.push_back(t.table);
    std::string lock = "LOCK TABLE ";
    for (std::size_t i = 0; i < tables.size(); ++i) lock += (i ? ", " : "") + quotedIdentifier(tables[i]);
    run(conn, lock + " IN EXCLUSIVE MODE");
    refuseUsed(tablesWithData(conn, tables));
    out << "copying in one transaction (rows per table):" << std::endl;
    try {
      copied = copyTables(snapshot, conn, plan, newestSeq, out);
      transaction.commit();
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(
          std::string(e.what()) +
          " (rolled back: the PostgreSQL database holds no copied row; migrate-store can run again)");
    }
  }
  // Statistics for the planner at once, rather than at autovacuum's first pass over the new rows.
  (void)conn.exec("ANALYZE");

  const auto nextId = run(conn, "SELECT coalesce(max(id), 0) + 1 FROM deliveries").integer(0, 0);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
  out << "committed: " << copied.rows << " rows in " << copied.tables << " tables (" << copied.deliveries
      << " deliveries, the next one gets id " << nextId << "; the change feed goes on after seq " << newestSeq
      << ") in " << ms << " ms\n";
  printNextSteps(out, path);
  return 0;
}

}  // namespace forgehook::app
