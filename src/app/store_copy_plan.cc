#include "app/store_copy_plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace forgehook::app {
namespace {

// The body journal's bookkeeping: a self-contained copy keeps every body in delivery_bodies.
const std::set<std::string> kSqliteOnlyTables = {"journal_state", "body_segments"};
const std::set<std::pair<std::string, std::string>> kSqliteOnlyColumns = {
    {"deliveries", "body_segment"}, {"deliveries", "body_offset"}, {"deliveries", "body_length"}};

// Columns PostgreSQL has alone, and what a copied row holds there (an SQLite expression).
const std::map<std::pair<std::string, std::string>, std::string> kPostgresOnlyColumns = {
    // The processing order of copied rows: by id, and negative, so below every seq the PostgreSQL
    // store hands out (the change counter's, from the copied feed's newest on).
    {{"deliveries", "queue_seq"}, "id - (SELECT coalesce(max(id), 0) + 1 FROM deliveries)"},
    // The node running a "running" run: none for a copied one, which a node then recovers as cut
    // off, as SQLite's next start would have.
    {{"command_runs", "runner"}, "NULL"},
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

}  // namespace

std::string quotedIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<TableCopy> planStoreCopy(const std::vector<SqliteTableColumns>& sqlite,
                                     const std::vector<PgTableColumns>& postgres) {
  std::map<std::string, const PgTableColumns*> pgByName;
  for (const auto& t : postgres) pgByName[t.name] = &t;
  std::vector<std::string> unknown;
  std::vector<TableCopy> plan;
  for (const auto& s : sqlite) {
    if (kSqliteOnlyTables.contains(s.name)) continue;
    const auto found = pgByName.find(s.name);
    if (found == pgByName.end()) {
      unknown.push_back("table " + s.name + " is in the SQLite store only");
      continue;
    }
    const auto& pg = *found->second;
    TableCopy copy{s.name, {}, {}, {}, {}};
    std::vector<std::string> reads;
    bool rowIdTable = false;
    for (const auto& column : pg.columns) {
      std::string read;
      if (contains(s.columns, column.name)) {
        read = quotedIdentifier(column.name);
      } else if (column.name == "row_id") {
        read = "rowid";
        rowIdTable = true;
      } else if (const auto known = kPostgresOnlyColumns.find({s.name, column.name});
                 known != kPostgresOnlyColumns.end()) {
        read = known->second;
      } else {
        unknown.push_back("column " + s.name + "." + column.name + " is in the PostgreSQL store only");
        continue;
      }
      reads.push_back(std::move(read));
      copy.columns.push_back(column.name);
      copy.bytea.push_back(column.type == "bytea");
      if (column.identity) copy.identities.push_back(column.name);
    }
    for (const auto& column : s.columns) {
      const bool inPg =
          std::any_of(pg.columns.begin(), pg.columns.end(), [&](const PgColumnInfo& c) { return c.name == column; });
      if (!inPg && !kSqliteOnlyColumns.contains({s.name, column}))
        unknown.push_back("column " + s.name + "." + column + " is in the SQLite store only");
    }
    copy.select = "SELECT ";
    for (std::size_t i = 0; i < reads.size(); ++i) copy.select += (i ? ", " : "") + reads[i];
    copy.select += " FROM " + quotedIdentifier(s.name);
    if (contains(s.columns, "id"))
      copy.select += " ORDER BY id";
    else if (rowIdTable)
      copy.select += " ORDER BY rowid";
    plan.push_back(std::move(copy));
  }
  if (!unknown.empty())
    throw std::runtime_error("this forgehook does not know how to copy its SQLite store into its PostgreSQL store: " +
                             join(unknown) + " (a bug: report it)");
  // delivery_bodies and command_runs reference deliveries: those rows go in first.
  std::stable_partition(plan.begin(), plan.end(), [](const TableCopy& t) { return t.table == "deliveries"; });
  return plan;
}

}  // namespace forgehook::app
