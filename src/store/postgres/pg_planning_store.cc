#include "store/postgres/pg_planning_store.h"

#include <exception>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/forge.h"
#include "store/postgres/pg_change_log.h"
#include "store/postgres/pg_change_recorder.h"
#include "store/postgres/pg_text.h"
#include "store/postgres/pg_transaction.h"
#include "store/resource_sql.h"

namespace forgehook::store::postgres {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;  // the change feed's unit

std::string noItem(std::int64_t id) { return "no planned item with id " + std::to_string(id); }
std::string noIncident(std::int64_t id) { return "no incident with id " + std::to_string(id); }

// Text from a request body may hold a NUL (JSON's \u0000), at which libpq would end the parameter:
// storable text (pg_text.h), as pg_delivery_log writes payload text.
PgParam text(std::string_view value) { return storableText(value); }

// A row of a list resource as the API shows it, with the forge and repository its change record keeps.
struct Row {
  std::string forge, repository, json;
};

// The row of `resource` whose row id is `id`; nullopt when there is none.
core::Result<std::optional<Row>> readRow(PgConnection& conn, Resource resource, std::int64_t id) {
  const auto& sql = resourceSql(SqlDialect::Postgres, resource);
  auto rows = conn.exec("SELECT " + sql.forge + ", coalesce(" + sql.repository + ", ''), " + sql.object + sql.from +
                            " AND " + sql.rowId + " = $1",
                        {std::to_string(id)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::optional<Row>{};
  return std::optional<Row>(Row{rows->text(0, 0), rows->text(0, 1), rows->text(0, 2)});
}

// readRow's JSON alone, on a connection of its own; NotFound with `missing`. An exception is
// Unavailable "store_unavailable", as in the SQLite store's reads.
core::Result<std::string> readOne(PgPool& pool, Resource resource, std::int64_t id, const std::string& missing) {
  try {
    auto conn = pool.lease();
    if (!conn) return std::unexpected(conn.error());
    auto row = readRow(**conn, resource, id);
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(core::Error::notFound(missing));
    return std::move((*row)->json);
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

// Locks the row `id` of `table` until the transaction ends, so the change records' before-image is
// the row this transaction replaces (SQLite's one writer gives that for free). False: no such row.
core::Result<bool> lockRow(PgConnection& conn, const char* table, std::int64_t id) {
  auto locked = conn.exec(std::string("SELECT 1 FROM ") + table + " WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  if (!locked) return std::unexpected(locked.error());
  return locked->rows() > 0;
}

std::string defaultForge() { return std::string(core::forgeName(core::Forge::GitHub)); }

}  // namespace

core::Result<std::string> PgPlanningStore::getItem(std::int64_t id) {
  return readOne(pool_, Resource::Items, id, noItem(id));
}

core::Result<std::string> PgPlanningStore::createItem(const ItemInput& in, std::int64_t now) {
  return pgTransaction(pool_, [&](PgConnection& conn) -> core::Result<std::string> {
    const bool linked = in.issueNumber.has_value();
    const PgParam none(std::nullopt);
    auto inserted = conn.exec(
        "INSERT INTO items (title, description, owner, status, tags, due_on, forge, repository, issue_number, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        {text(in.title.value_or("")), text(in.description.value_or("")), text(in.owner.value_or("")),
         text(in.status.value_or("planned")), text(in.tagsJson.value_or("[]")),
         in.dueOn && *in.dueOn ? PgParam(std::to_string(**in.dueOn)) : none,
         linked ? text(in.forge.value_or(defaultForge())) : none, linked ? text(in.repository.value_or("")) : none,
         linked ? PgParam(std::to_string(*in.issueNumber)) : none, std::to_string(now)});
    if (!inserted) return std::unexpected(inserted.error());
    const auto id = inserted->integer(0, 0);
    // Nothing was there before: the row as it reads now is both the "created" record and the answer.
    auto row = readRow(conn, Resource::Items, id);
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(core::Error::notFound(noItem(id)));
    const PendingChange created{now * kMicrosPerSecond, std::string(specOf(Resource::Items).name), "created",
                                std::to_string(id),     (*row)->forge,
                                (*row)->repository,     (*row)->json};
    if (auto appended = appendChanges(conn, std::span(&created, 1)); !appended)
      return std::unexpected(appended.error());
    return std::move((*row)->json);
  });
}

core::Result<std::string> PgPlanningStore::updateItem(std::int64_t id, const ItemInput& in, std::int64_t now) {
  return pgTransaction(pool_, [&](PgConnection& conn) -> core::Result<std::string> {
    auto exists = lockRow(conn, "items", id);
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) return std::unexpected(core::Error::notFound(noItem(id)));
    PgChangeRecorder changes(conn);
    if (auto watched = changes.watch(Resource::Items, "i.id = ?1", {id}); !watched)
      return std::unexpected(watched.error());
    std::string sql = "UPDATE items SET updated_at = $1";
    std::vector<PgParam> params{std::to_string(now)};
    const auto set = [&](const char* column, PgParam value) {
      params.push_back(std::move(value));
      sql.append(", ").append(column).append(" = $").append(std::to_string(params.size()));
    };
    if (in.title) set("title", text(*in.title));
    if (in.description) set("description", text(*in.description));
    if (in.owner) set("owner", text(*in.owner));
    if (in.status) set("status", text(*in.status));
    if (in.tagsJson) set("tags", text(*in.tagsJson));
    if (in.dueOn) set("due_on", *in.dueOn ? PgParam(std::to_string(**in.dueOn)) : PgParam(std::nullopt));
    if (in.unlink) {
      set("forge", std::nullopt);
      set("repository", std::nullopt);
      set("issue_number", std::nullopt);
    } else if (in.issueNumber) {
      set("forge", text(in.forge.value_or(defaultForge())));
      set("repository", text(in.repository.value_or("")));
      set("issue_number", std::to_string(*in.issueNumber));
    }
    params.emplace_back(std::to_string(id));
    sql.append(" WHERE id = $").append(std::to_string(params.size()));
    if (auto updated = conn.exec(sql, params); !updated) return std::unexpected(updated.error());
    if (auto recorded = changes.recordAndAppend(now * kMicrosPerSecond); !recorded) return std::unexpected(recorded.error());
    // The row is locked until COMMIT: as read here, it is what commits.
    auto row = readRow(conn, Resource::Items, id);
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(core::Error::notFound(noItem(id)));
    return std::move((*row)->json);
  });
}

core::Result<void> PgPlanningStore::deleteItem(std::int64_t id, std::int64_t now) {
  return pgTransaction(pool_, [&](PgConnection& conn) -> core::Result<void> {
    auto exists = lockRow(conn, "items", id);
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) return std::unexpected(core::Error::notFound(noItem(id)));
    PgChangeRecorder changes(conn);
    if (auto watched = changes.watch(Resource::Items, "i.id = ?1", {id}); !watched) return watched;
    if (auto deleted = conn.exec("DELETE FROM items WHERE id = $1", {std::to_string(id)}); !deleted)
      return std::unexpected(deleted.error());
    return changes.recordAndAppend(now * kMicrosPerSecond);
  });
}

core::Result<std::string> PgPlanningStore::acknowledgeIncident(std::int64_t id, const std::string& by,
                                                               const std::string& note, std::int64_t now) {
  auto acknowledged = pgTransaction(pool_, [&](PgConnection& conn) -> core::Result<void> {
    // Locked: two acknowledgements of one incident, or one and the pipeline's recomputation, take turns.
    auto exists = lockRow(conn, "incidents", id);
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) return std::unexpected(core::Error::notFound(noIncident(id)));
    PgChangeRecorder changes(conn);
    if (auto watched = changes.watch(Resource::Incidents, "n.id = ?1", {id}); !watched) return watched;
    auto upserted = conn.exec(
        "INSERT INTO incident_acks (forge, repo_id, workflow, branch, opened_run, acknowledged_at, acknowledged_by, "
        "note) SELECT forge, repo_id, workflow, branch, opened_run, $2::bigint, $3::text, $4::text FROM incidents "
        "WHERE id = $1 ON CONFLICT (forge, repo_id, workflow, branch, opened_run) DO UPDATE SET acknowledged_at = "
        "excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by, note = excluded.note",
        {std::to_string(id), std::to_string(now), text(by), text(note)});
    if (!upserted) return std::unexpected(upserted.error());
    return changes.recordAndAppend(now * kMicrosPerSecond);
  });
  if (!acknowledged) return std::unexpected(acknowledged.error());
  // The pipeline may have recomputed the incident away in between: then it is NotFound.
  return readOne(pool_, Resource::Incidents, id, noIncident(id));
}

}  // namespace forgehook::store::postgres
