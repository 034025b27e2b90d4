#include "app/store_migration.h"

#include <ostream>
#include <stdexcept>

#include "app/data_dir.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_schema.h"
#include "store/sqlite/schema_file.h"

namespace forgehook::app {
namespace {

int migratePostgres(const core::Config& config, bool checkOnly, std::ostream& out) {
  using namespace store::postgres;
  auto conn = PgConnection::open(pgSettingsFrom(config.store.postgres));
  if (!conn) throw std::runtime_error(conn.error().message);
  if (!checkOnly) {
    auto applied = pgMigrate(*conn);
    if (!applied) throw std::runtime_error(applied.error().message);
    for (const auto& m : *applied) out << "applied " << m.version << ": " << m.name << "\n";
    if (applied->empty()) out << "nothing to apply\n";
  }
  auto status = pgSchemaStatus(*conn);
  if (!status) throw std::runtime_error(status.error().message);
  out << "PostgreSQL store: schema version " << status->current << " of " << status->newest;
  if (status->pending.empty()) {
    out << ", up to date\n";
    return 0;
  }
  out << ", " << status->pending.size() << " pending:\n";
  for (const auto& m : status->pending) out << "  " << m.version << ": " << m.name << "\n";
  out << "`forgehook migrate` applies them (runs started at once apply each migration once)\n";
  return 1;
}

int migrateSqlite(const core::Config& config, bool checkOnly, std::ostream& out) {
  const std::string path = config.dataDir + "/forgehook.db";
  store::sqlite::SchemaVersions versions;
  if (checkOnly) {
    versions = store::sqlite::readSchemaVersions(path);
    if (!versions.exists) {
      out << "no store yet at " << path << ": `forgehook migrate` or `forgehook serve` creates it\n";
      return 1;
    }
  } else {
    ensureDataDir(config.dataDir);
    const auto before = store::sqlite::migrateSchemaFile(path, config.store.synchronous == "full");
    if (!before.exists)
      out << "created " << path << "\n";
    else if (before.current < before.newest)
      out << "applied " << before.current + 1 << " to " << before.newest << "\n";
    else
      out << "nothing to apply\n";
    versions = {true, before.newest, before.newest};
  }
  out << "SQLite store " << path << ": schema version " << versions.current << " of " << versions.newest;
  if (versions.current == versions.newest) {
    out << ", up to date\n";
    return 0;
  }
  out << ", " << versions.newest - versions.current
      << " pending: `forgehook migrate` applies them (so does `forgehook serve` when it starts)\n";
  return 1;
}

}  // namespace

int migrateStore(const core::Config& config, bool checkOnly, std::ostream& out) {
  return config.store.backend == "postgres" ? migratePostgres(config, checkOnly, out)
                                            : migrateSqlite(config, checkOnly, out);
}

}  // namespace forgehook::app
